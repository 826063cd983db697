"""Every catalogue row as plain tuples, to prove that an operation changed nothing at all."""

from __future__ import annotations

from typing import Any

from playlists.models import Dataset, Playlist, Song, SongTag, Tag


def catalogue_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "datasets": list(
            Dataset.objects.order_by("id").values_list(
                "id", "name", "source", "fingerprint", "ingested_at", "summary"
            )
        ),
        "tags": list(Tag.objects.order_by("id").values_list("id", "name")),
        "songs": list(
            Song.objects.order_by("id").values_list(
                "id", "title", "artist", "search_text", "play_count"
            )
        ),
        "song_tags": list(
            SongTag.objects.order_by("id").values_list("id", "song_id", "tag_id", "rank")
        ),
        "playlists": [
            (*row[:-1], bytes(row[-1]))
            for row in Playlist.objects.order_by("id").values_list(
                "id", "dataset_id", "split", "line_number", "length", "song_ids_blob"
            )
        ],
    }


def catalogue_content() -> dict[str, list[tuple[Any, ...]]]:
    """The catalogue without its generated row ids and timestamps: what a data set defines."""
    snapshot = catalogue_snapshot()
    datasets = {row[0]: row[1] for row in snapshot["datasets"]}
    return {
        "datasets": sorted(row[1:4] for row in snapshot["datasets"]),
        "tags": snapshot["tags"],
        "songs": snapshot["songs"],
        "song_tags": sorted(row[1:] for row in snapshot["song_tags"]),
        "playlists": sorted((datasets[row[1]], *row[2:]) for row in snapshot["playlists"]),
    }
