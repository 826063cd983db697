"""The API's answers as plain dicts, in the shapes recommender/api/schemas.py documents; the
pages reuse song_json for the seeds they hand to their scripts."""

from __future__ import annotations

from typing import Any

from config.errors import RawJson
from playlists.selectors import SongInfo
from recommender import serving
from recommender.api_limits import SONG_TAGS
from recommender.serving.reasons import SongReason


def song_json(song: SongInfo) -> dict[str, object]:
    # The most specific tags only (songs arrive with their tags in the shown order, ml/tags.py;
    # SONG_TAGS says why ten).
    return {
        "id": song.id,
        "title": song.title,
        "artist": song.artist,
        "tags": list(song.tags[:SONG_TAGS]),
    }


def reason_json(reason: SongReason | None) -> dict[str, object] | None:
    if reason is None:
        return None
    return {
        "kind": reason.kind,
        "because_of": reason.because_of,
        "text": reason.text,
        "shares": dict(reason.shares),
    }


def warnings_json(unknown_seeds: tuple[int, ...], *, model_version: int) -> list[dict[str, object]]:
    """What was left out of an answer, for the client to tell its user (empty: nothing)."""
    if not unknown_seeds:
        return []
    label = "song id" if len(unknown_seeds) == 1 else "song ids"
    listed = ", ".join(str(song_id) for song_id in unknown_seeds)
    return [
        {
            "code": "unknown_seeds",
            "message": (
                f"Not in the catalogue of model version {model_version}, left out: {label} "
                f"{listed}."
            ),
            "ids": list(unknown_seeds),
        }
    ]


def recommendation_json(answer: serving.Recommendation, *, one_seed: bool) -> dict[str, object]:
    payload: dict[str, object] = {}
    if one_seed:
        payload["seed"] = song_json(answer.seeds[0])
    else:
        payload["seeds"] = [song_json(seed) for seed in answer.seeds]
    payload["model_version"] = answer.model_version
    payload["source"] = answer.source
    payload["unplaced_seeds"] = list(answer.unplaced_seeds)
    if not one_seed:
        payload["warnings"] = warnings_json(
            answer.unknown_seeds, model_version=answer.model_version
        )
    payload["results"] = [
        {"song": RawJson(item.song_json()), "score": item.score, "reason": reason_json(item.reason)}
        for item in answer.results
    ]
    return payload


def station_json(station: serving.RadioStation) -> dict[str, object]:
    return {
        "model_version": station.model_version,
        "seeds": [song_json(song) for song in station.seeds],
        "complete": station.complete,
        "warnings": warnings_json(station.unknown_seeds, model_version=station.model_version),
        "songs": [
            {
                **song_json(item.song),
                "position": item.position,
                "source": item.source,
                "reason": reason_json(item.reason),
            }
            for item in station.songs
        ],
    }


def model_version_json(version: Any, *, songs_with_vectors: int | None) -> dict[str, object]:
    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": version.id,
        "status": version.status,
        "created_at": when(version.created_at),
        "finished_at": when(version.finished_at),
        "activated_at": when(version.activated_at),
        "train_seconds": version.train_seconds,
        "songs_with_vectors": songs_with_vectors,
        "hyperparameters": version.hyperparameters,
        "metrics": version.metrics,
        "corpus_stats": version.corpus_stats,
    }


def map_json(points: serving.MapPoints) -> dict[str, object]:
    return {
        "model_version": points.model_version,
        "tags": list(points.tags),
        "explained_variance": list(points.explained_variance),
        "points": {
            "id": list(points.ids),
            "x": list(points.x),
            "y": list(points.y),
            "tag": list(points.tag_index),
            "title": list(points.titles),
            "artist": list(points.artists),
        },
    }
