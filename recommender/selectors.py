"""Read-only queries the serving layer needs: the active version's row and the song catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from playlists.models import Dataset
from playlists.selectors import SongInfo, all_song_ids, song_count, songs_by_ids
from recommender.models import ModelVersion

# songs_by_ids builds one `IN (...)` per call; SQLite caps the number of bound parameters, so the
# whole catalogue is read in slices well under that cap.
_CATALOGUE_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class ActiveVersionKey:
    """What identifies the serving version: re-activating the same row still counts as new."""

    id: int
    activated_at: datetime | None
    artifacts_path: str


def active_version_key() -> ActiveVersionKey | None:
    """The active version's identity, one indexed row; None when no version is active."""
    row = (
        ModelVersion.objects.filter(is_active=True)
        .values_list("id", "activated_at", "artifacts_path")
        .first()
    )
    if row is None:
        return None
    return ActiveVersionKey(id=row[0], activated_at=row[1], artifacts_path=row[2] or "")


def active_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


def model_version_get(*, version_id: int) -> ModelVersion | None:
    return ModelVersion.objects.filter(id=version_id).first()


def catalogue_songs() -> Iterator[SongInfo]:
    """Every song of the catalogue with its tags, in increasing id order, a slice at a time."""
    ids = [int(song_id) for song_id in all_song_ids()]
    for start in range(0, len(ids), _CATALOGUE_CHUNK):
        chunk = songs_by_ids(song_ids=ids[start : start + _CATALOGUE_CHUNK])
        yield from (chunk[song_id] for song_id in sorted(chunk))


def catalogue_stamp() -> tuple[object, ...]:
    """Changes whenever an ingest changes the catalogue: lets serving keep its copy otherwise.

    An ingest that changes anything saves its Dataset row (ingested_at is auto_now); the song
    count guards against songs written without an ingest (tests, the admin).
    """
    datasets = Dataset.objects.aggregate(count=Count("id"), latest=Max("ingested_at"))
    return (song_count(), datasets["count"], datasets["latest"])
