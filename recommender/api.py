"""The JSON API: thin views that validate input, call serving/selectors and encode the answer.

Every error is `{"error": {"code", "message"}}` (config/errors.py) with a fitting status;
recommender/openapi.py describes each endpoint and is checked against these views by the tests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from config.errors import error_body, error_response, json_response
from playlists.models import SONG_ID_MAX
from playlists.selectors import SongInfo, song_search, songs_by_ids
from recommender import api_limits, playlist_export, selectors, serving
from recommender.api_limits import (
    DEFAULT_ARTIST_GAP,
    DEFAULT_K,
    DEFAULT_RADIO_LENGTH,
    DEFAULT_SEARCH_LIMIT,
    MAX_ARTIST_GAP,
    MAX_EXCLUDE,
    MAX_EXPORT_SONGS,
    MAX_HISTORY,
    MAX_K,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    MAX_RADIO_LENGTH,
    MAX_SEARCH_LIMIT,
    MAX_SEEDS,
    SONG_TAGS,
)
from recommender.ml.familiarity import DEFAULT_FAMILIARITY
from recommender.ml.radio import StationRules
from recommender.openapi import openapi_schema
from recommender.serving.reasons import SongReason

# A JSON number in ASCII: "30", "30.0", "3e1". Bounded, so that the integer it makes stays small.
_NUMBER = re.compile(r"-?[0-9]{1,40}(?:\.[0-9]{1,40})?(?:[eE][+-]?[0-9]{1,3})?")
RECOMMENDATION_FIELDS = frozenset({"seeds", "k", "exclude", "max_per_artist", "familiarity"})
_EXPORT_ID = re.compile(r"[0-9]{1,10}")
NEXT_FIELDS = frozenset({"history", "k", "exclude", "max_per_artist", "familiarity"})
RADIO_FIELDS = frozenset({"seeds", "length", "familiarity", "exclude", "artist_gap", "seed"})


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def api_view(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allowed methods (JSON 405 otherwise) and the mapping of domain errors to statuses."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            allowed = (*methods, "HEAD") if "GET" in methods else methods
            if request.method not in allowed:
                return error_response(
                    405,
                    "method_not_allowed",
                    f"{request.method} is not allowed here; use {', '.join(methods)}.",
                    headers={"Allow": ", ".join(allowed)},
                )
            try:
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc.status, exc.code, exc.message)
            except serving.UnknownSongs as exc:
                return error_response(404, "not_found", f"{exc}.")
            except serving.NoActiveModel as exc:
                return error_response(
                    503, "no_active_model", f"{exc}; an admin can train and activate one."
                )

        # The API is for programs (no cookies, no sessions): CSRF protects nothing here.
        return csrf_exempt(wrapper)

    return decorate


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
        {"song": song_json(item.song), "score": item.score, "reason": reason_json(item.reason)}
        for item in answer.results
    ]
    return payload


def _max_body() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def _parse_int(raw: str) -> int | None:
    # The document's "integer" is JSON Schema's: any number without a fraction, so "30.0" and
    # "3e1" are 30 (as 30.0 is in a JSON body) and "2.5" is not. The pattern admits ASCII
    # numbers only: int() would also take "1_000", " 7 " and other scripts' digits.
    if not _NUMBER.fullmatch(raw):
        return None
    value = Decimal(raw)
    return int(value) if value == value.to_integral_value() else None


def _int_param(request: HttpRequest, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    value = _parse_int(raw)
    if value is None:
        raise ApiError(422, "invalid_parameter", f"{name} must be an integer.")
    if not low <= value <= high:
        raise ApiError(422, "invalid_parameter", f"{name} must be between {low} and {high}.")
    return value


def _familiarity_param(request: HttpRequest) -> float:
    raw = request.GET.get("familiarity")
    if raw is None or raw == "":
        return DEFAULT_FAMILIARITY
    # The same ASCII number pattern as integers: float() would also take "nan" and "1_0".
    if not _NUMBER.fullmatch(raw):
        raise ApiError(422, "invalid_parameter", "familiarity must be a number from 0 to 1.")
    return _familiarity(float(raw))


def _song_id(raw: str) -> int:
    value = _parse_int(raw)
    if value is None:
        raise ApiError(422, "invalid_parameter", "A song id must be an integer.")
    # Song ids are stored as 32-bit integers: a larger one cannot exist, and passing it to the
    # database would be an overflow error rather than "not found".
    if not 0 <= value <= SONG_ID_MAX:
        raise ApiError(404, "not_found", f"no song with id {value}.")
    return value


def _json_int(value: object, name: str) -> int:
    # JSON has one number type: 10.0 is the integer 10 (JSON Schema's "integer" in the published
    # schema accepts it too), while 1.5, NaN and true/false (ints in Python) are not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(422, "invalid_parameter", f"{name} must be an integer.")
    return value


def _id_list(value: object, name: str, *, limit: int) -> list[int]:
    if not isinstance(value, list):
        raise ApiError(422, "invalid_parameter", f"{name} must be a list of song ids.")
    if len(value) > limit:
        raise ApiError(422, "too_many_ids", f"{name} may hold at most {limit} song ids.")
    return [_json_int(item, f"every id in {name}") for item in value]


@api_view("GET")
def songs_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        raise ApiError(422, "invalid_parameter", f"q may be at most {MAX_QUERY_CHARS} characters.")
    limit = _int_param(request, "limit", default=DEFAULT_SEARCH_LIMIT, low=1, high=MAX_SEARCH_LIMIT)
    offset = _int_param(request, "offset", default=0, low=0, high=MAX_OFFSET)
    found, total = song_search(query=query, limit=limit, offset=offset)
    songs = serving.songs_tags_ranked(found)
    return json_response(
        {
            "query": query,
            "total": total,
            "limit": limit,
            "offset": offset,
            "results": [song_json(song) for song in songs],
        }
    )


@api_view("GET")
def song_detail(request: HttpRequest, song_id: str) -> HttpResponse:
    identifier = _song_id(song_id)
    song = serving.songs_shown(song_ids=[identifier]).get(identifier)
    if song is None:
        raise ApiError(404, "not_found", f"no song with id {identifier}.")
    return json_response(song_json(song))


@api_view("GET")
def song_similar(request: HttpRequest, song_id: str) -> HttpResponse:
    identifier = _song_id(song_id)
    k = _int_param(request, "k", default=DEFAULT_K, low=1, high=MAX_K)
    answer = serving.songs_similar(song_id=identifier, k=k, familiarity=_familiarity_param(request))
    return json_response(recommendation_json(answer, one_seed=True))


def _raw_body(request: HttpRequest) -> bytes:
    """The request body, also when it came chunked (no Content-Length)."""
    meta = request.META
    chunked = meta.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
    if not chunked or meta.get("CONTENT_LENGTH"):
        return request.body
    # Django reads Content-Length bytes, so none of a chunked body. Gunicorn de-chunks
    # wsgi.input and ends it after the last chunk; read one byte past the limit to know.
    raw = meta["wsgi.input"].read(_max_body() + 1)
    if len(raw) > _max_body():
        raise RequestDataTooBig
    return bytes(raw)


def _json_body(request: HttpRequest, fields: frozenset[str]) -> dict[str, Any]:
    try:
        raw = _raw_body(request)
    except RequestDataTooBig:
        raise ApiError(
            413, "body_too_large", f"The request body may be at most {_max_body()} bytes."
        ) from None
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "malformed_json", "The request body must be JSON.") from None
    except RecursionError:
        # `[[[[...` within the size limit nests deeper than the parser's recursion limit.
        raise ApiError(400, "malformed_json", "The request body is nested too deeply.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "malformed_json", "The request body must be a JSON object.")
    unknown = sorted(set(body) - fields)
    if unknown:
        raise ApiError(422, "invalid_parameter", f"Unknown field(s): {', '.join(unknown)}.")
    return body


def _list_options(body: dict[str, Any]) -> tuple[int, list[int], int | None]:
    """k, exclude and max_per_artist of a list request, validated."""
    k = _json_int(body.get("k", DEFAULT_K), "k")
    if not 1 <= k <= MAX_K:
        raise ApiError(422, "invalid_parameter", f"k must be between 1 and {MAX_K}.")
    exclude = _id_list(body.get("exclude", []), "exclude", limit=MAX_EXCLUDE)
    max_per_artist = body.get("max_per_artist")
    if max_per_artist is not None:
        max_per_artist = _json_int(max_per_artist, "max_per_artist")
        if max_per_artist < 1:
            raise ApiError(422, "invalid_parameter", "max_per_artist must be at least 1.")
    return k, exclude, max_per_artist


def _required_ids(body: dict[str, Any], name: str, *, limit: int) -> list[int]:
    if name not in body:
        raise ApiError(422, "invalid_parameter", f"{name} is required (a list of song ids).")
    ids = _id_list(body[name], name, limit=limit)
    if not ids:
        raise ApiError(422, "invalid_parameter", f"{name} must hold at least one song id.")
    return ids


@api_view("POST")
def recommendations(request: HttpRequest) -> HttpResponse:
    body = _json_body(request, RECOMMENDATION_FIELDS)
    seeds = _required_ids(body, "seeds", limit=MAX_SEEDS)
    k, exclude, max_per_artist = _list_options(body)
    answer = serving.songs_recommend(
        seeds=seeds,
        k=k,
        exclude=exclude,
        max_per_artist=max_per_artist,
        familiarity=_familiarity(body.get("familiarity", DEFAULT_FAMILIARITY)),
    )
    return json_response(recommendation_json(answer, one_seed=False))


@api_view("POST")
def next_songs(request: HttpRequest) -> HttpResponse:
    body = _json_body(request, NEXT_FIELDS)
    history = _required_ids(body, "history", limit=MAX_HISTORY)
    repeated = sorted({song for song in history if history.count(song) > 1})
    if repeated:
        listed = ", ".join(str(song) for song in repeated)
        raise ApiError(
            422, "invalid_parameter", f"history lists song {listed} more than once; give each once."
        )
    k, exclude, max_per_artist = _list_options(body)
    answer = serving.songs_next(
        history=history,
        k=k,
        exclude=exclude,
        max_per_artist=max_per_artist,
        familiarity=_familiarity(body.get("familiarity", DEFAULT_FAMILIARITY)),
    )
    return json_response(recommendation_json(answer, one_seed=False))


def _bounded_int(body: dict[str, Any], name: str, *, default: int, low: int, high: int) -> int:
    value = _json_int(body.get(name, default), name)
    if not low <= value <= high:
        raise ApiError(422, "invalid_parameter", f"{name} must be between {low} and {high}.")
    return value


def _familiarity(value: object) -> float:
    # NaN fails both comparisons, so it is refused with the out-of-range message.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ApiError(422, "invalid_parameter", "familiarity must be a number from 0 to 1.")
    return float(value)


@api_view("POST")
def radio(request: HttpRequest) -> HttpResponse:
    body = _json_body(request, RADIO_FIELDS)
    seeds = _required_ids(body, "seeds", limit=MAX_SEEDS)
    length = _bounded_int(
        body, "length", default=DEFAULT_RADIO_LENGTH, low=1, high=MAX_RADIO_LENGTH
    )
    gap = _bounded_int(body, "artist_gap", default=DEFAULT_ARTIST_GAP, low=0, high=MAX_ARTIST_GAP)
    seed = body.get("seed")
    if seed is not None:
        seed = _bounded_int(body, "seed", default=0, low=0, high=api_limits.MAX_RADIO_SEED)
    station = serving.radio_station(
        seeds=seeds,
        rules=StationRules(
            length=length,
            familiarity=_familiarity(body.get("familiarity", DEFAULT_FAMILIARITY)),
            artist_gap=gap,
            seed=seed,
        ),
        exclude=_id_list(body.get("exclude", []), "exclude", limit=MAX_EXCLUDE),
    )
    return json_response(
        {
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
    )


def _export_tracks(request: HttpRequest) -> tuple[str, list[playlist_export.Track]]:
    """The title and the tracks, in the order given, of an export request's ?songs=&title=."""
    raw = request.GET.get("songs", "")
    if not raw:
        raise ApiError(422, "invalid_parameter", "songs is required (comma-separated song ids).")
    parts = raw.split(",")
    if len(parts) > MAX_EXPORT_SONGS:
        raise ApiError(422, "too_many_ids", f"songs may hold at most {MAX_EXPORT_SONGS} song ids.")
    # Digits only: the document's pattern, which the fuzzing holds the view to.
    if not all(_EXPORT_ID.fullmatch(part) for part in parts):
        raise ApiError(422, "invalid_parameter", "songs must be song ids separated by commas.")
    ids = [_song_id(part) for part in parts]
    title = request.GET.get("title", "") or "songrec playlist"
    if len(title) > MAX_QUERY_CHARS:
        raise ApiError(
            422, "invalid_parameter", f"title may be at most {MAX_QUERY_CHARS} characters."
        )
    songs = songs_by_ids(song_ids=ids)
    missing = sorted({song for song in ids if song not in songs})
    if missing:
        listed = ", ".join(str(song) for song in missing)
        raise ApiError(404, "not_found", f"no song with id {listed}.")
    tracks = [
        playlist_export.Track(
            title=songs[song].title,
            artist=songs[song].artist,
            url=request.build_absolute_uri(f"/songs/{song}"),
        )
        for song in ids
    ]
    return title, tracks


# Per format: the writer and the media type. m3u8 gets application/vnd.apple.mpegurl, the
# registered type (RFC 8216) for UTF-8 M3U, rather than the older unregistered audio/x-mpegurl.
EXPORT_FORMATS: dict[str, tuple[Callable[[str, list[playlist_export.Track]], str | bytes], str]] = {
    "m3u8": (playlist_export.m3u8_write, "application/vnd.apple.mpegurl; charset=utf-8"),
    "xspf": (playlist_export.xspf_write, "application/xspf+xml; charset=utf-8"),
    "jspf": (playlist_export.jspf_write, "application/json"),
}


@api_view("GET")
def playlist_export_view(request: HttpRequest, extension: str) -> HttpResponse:
    title, tracks = _export_tracks(request)
    writer, content_type = EXPORT_FORMATS[extension]
    response = HttpResponse(writer(title, tracks), content_type=content_type)
    filename = playlist_export.attachment_filename(title, extension=extension)
    # The file name is ASCII letters, digits and '-' only: nothing to quote or encode.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


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


@api_view("GET")
def model_active(request: HttpRequest) -> HttpResponse:
    model = serving.serving_model()
    version = selectors.model_version_get(version_id=model.version_id)
    if version is None:
        raise serving.NoActiveModel("the served model version was deleted")
    return json_response(model_version_json(version, songs_with_vectors=model.size))


@api_view("GET")
def embedding_map(request: HttpRequest) -> HttpResponse:
    points = serving.map_points()
    return json_response(
        {
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
    )


@api_view("GET")
def health(request: HttpRequest) -> HttpResponse:
    database = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not healthy", never a 500
        database = f"error: {type(exc).__name__}"
    version_id, why = serving.serving_status()
    payload: dict[str, object] = {
        "status": "ok" if database == "ok" and version_id is not None else "unavailable",
        "database": database,
        "model_version": version_id,
    }
    if payload["status"] == "ok":
        if why:
            # Answering, but from an older version: the active one could not be loaded.
            payload["status"] = "degraded"
            payload["error"] = error_body("no_active_model", f"{why}.")
        return json_response(payload)
    if database != "ok":
        payload["error"] = error_body("database_unavailable", "The database is down.")
    else:
        payload["error"] = error_body("no_active_model", f"{why}.")
    return json_response(payload, status=503)


@api_view("GET")
def schema(request: HttpRequest) -> HttpResponse:
    return json_response(openapi_schema(base_url=request.build_absolute_uri("/")[:-1]))


@api_view("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", f"There is no API endpoint at {request.path}.")
