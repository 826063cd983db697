"""Versions the serving tests trained, kept for the session and put back into later tests.

Most serving tests need a trained, active version and then only ask it questions. Training
one costs about a second, and the suite asks for one a few hundred times with the same
catalogue and hyperparameters. The first test to ask trains it for real
(training.training_run_execute, the worker's own service); later tests with the same
catalogue, hyperparameters and RECOMMENDER_* settings get a copy: its row as the run left it
and a copy of its artifacts folder, under the same id, in their own artifacts folder.
Activation is always the real service's.

A copy keeps its id because the artifacts' manifest names it. Where that id is taken in the
test's database, or is not above every version already there (ids would no longer follow
the order versions were made in), the version is trained for real instead.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max

from playlists.models import Playlist, Song, SongTag, Tag
from recommender import training
from recommender.artifacts import artifacts_folder_for
from recommender.models import ModelVersion

# Set anew when a copy is made: they say which database row and folder it is.
_FIELDS_NOT_KEPT = frozenset({"id", "is_active", "activated_at", "artifacts_path", "created_at"})
_TIMES_SHIFTED = ("heartbeat_at", "started_at", "finished_at")
# Where each test's version lives; every other RECOMMENDER_* setting is part of the key.
_SETTINGS_NOT_IN_KEY = frozenset({"RECOMMENDER_ARTIFACTS_DIR"})


@dataclass(frozen=True)
class KeptVersion:
    version_id: int
    values: dict[str, Any]
    created_at: datetime
    folder: Path


class TrainedVersions:
    """The session's kept versions, by what they were trained from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.kept: dict[str, KeptVersion] = {}

    def version(self, params: dict[str, Any]) -> ModelVersion:
        """A succeeded, inactive version trained with `params` on the catalogue in the
        database: a copy of a kept one when it can be, else trained now (and kept)."""
        key = _key(params)
        kept = self.kept.get(key)
        if kept is not None and _id_free_and_newest(kept.version_id):
            return _copy_in(kept)
        version = ModelVersion.objects.create(
            **params, activate_when_done=ModelVersion.Activation.NEVER
        )
        training.training_run_execute(version_id=version.id)
        version.refresh_from_db()
        assert version.status == ModelVersion.Status.SUCCEEDED, version.error
        if key not in self.kept:
            self.kept[key] = _keep(version, self.folder / key)
        return version


def _key(params: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for name, value in sorted(params.items()):
        digest.update(f"param {name}={value!r}\n".encode())
    for name in sorted(dir(settings)):
        if name.startswith("RECOMMENDER_") and name not in _SETTINGS_NOT_IN_KEY:
            digest.update(f"setting {name}={getattr(settings, name)!r}\n".encode())
    for rows in (
        Song.objects.order_by("id").values_list("id", "title", "artist", "play_count"),
        Tag.objects.order_by("id").values_list("id", "name"),
        SongTag.objects.order_by("song_id", "rank").values_list("song_id", "tag_id", "rank"),
        Playlist.objects.order_by("split", "line_number").values_list(
            "split", "line_number", "song_ids_blob"
        ),
    ):
        for row in rows:
            values = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            digest.update(repr(values).encode())
    return digest.hexdigest()[:20]


def _id_free_and_newest(version_id: int) -> bool:
    newest = ModelVersion.objects.aggregate(newest=Max("id"))["newest"]
    return newest is None or version_id > newest


def _keep(version: ModelVersion, folder: Path) -> KeptVersion:
    shutil.copytree(version.artifacts_path, folder)
    values = {
        field.attname: getattr(version, field.attname)
        for field in ModelVersion._meta.concrete_fields
        if field.attname not in _FIELDS_NOT_KEPT
    }
    return KeptVersion(
        version_id=version.id, values=values, created_at=version.created_at, folder=folder
    )


def _copy_in(kept: KeptVersion) -> ModelVersion:
    folder = artifacts_folder_for(kept.version_id)
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(kept.folder, folder)
    version = ModelVersion.objects.create(
        id=kept.version_id, **kept.values, artifacts_path=str(folder)
    )
    # The run's own times, moved to now: started and finished after the row was made.
    shift = version.created_at - kept.created_at
    moved = {
        name: getattr(version, name) + shift
        for name in _TIMES_SHIFTED
        if getattr(version, name) is not None
    }
    ModelVersion.objects.filter(id=version.id).update(**moved)
    version.refresh_from_db()
    return version
