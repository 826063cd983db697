"""The serving tests' kept versions (trained_versions.py): a copy is the trained version, and
anything that could make it another one trains anew."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from playlists.models import Playlist, Song
from recommender import training
from recommender.artifacts import manifest_verify
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.trained_versions import TrainedVersions

PARAMS: dict[str, Any] = {
    "vector_size": 16,
    "window": 3,
    "negative": 5,
    "epochs": 5,
    "min_count": 2,
    "sample": 0,
    "seed": 7,
}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _forget(version: ModelVersion) -> None:
    """What the end of a test does to a version: its row and its folder are gone."""
    shutil.rmtree(version.artifacts_path)
    ModelVersion.objects.filter(id=version.id).delete()


def test_a_copy_has_the_trained_versions_row_files_and_answers(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    kept = TrainedVersions(tmp_path / "kept")
    trained = kept.version(PARAMS)
    files = _files(Path(trained.artifacts_path))
    training.model_version_activate(version_id=trained.id)
    seed = catalogue.ids["Billie Jean"]
    answer = Client().get(f"/api/songs/{seed}/similar?k=5").json()
    _forget(ModelVersion.objects.get(id=trained.id))

    copy = kept.version(PARAMS)

    assert copy.id == trained.id
    assert manifest_verify(Path(copy.artifacts_path))["version_id"] == copy.id
    assert _files(Path(copy.artifacts_path)) == files
    assert (copy.status, copy.metrics, copy.timings) == (
        trained.status,
        trained.metrics,
        trained.timings,
    )
    assert copy.started_at is not None and copy.finished_at is not None
    assert copy.created_at <= copy.started_at <= copy.finished_at
    assert not copy.is_active
    training.model_version_activate(version_id=copy.id)
    assert Client().get(f"/api/songs/{seed}/similar?k=5").json() == answer


def test_a_taken_id_other_hyperparameters_or_settings_train_anew(
    catalogue: Catalogue, tmp_path: Path, settings: Any
) -> None:
    kept = TrainedVersions(tmp_path / "kept")
    first = kept.version(PARAMS)

    # The kept version's id is still in use: a second one is trained, not copied.
    second = kept.version(PARAMS)
    assert second.id > first.id
    assert second.started_at is not None and first.finished_at is not None
    assert second.started_at > first.finished_at

    _forget(second)
    _forget(first)
    other_seed = kept.version({**PARAMS, "seed": 8})
    assert other_seed.id > second.id

    _forget(other_seed)
    settings.RECOMMENDER_INDEX_NPROBE = 3
    other_setting = kept.version(PARAMS)
    assert other_setting.id > other_seed.id


@pytest.mark.parametrize("change", ["songs", "playlists"])
def test_another_catalogue_trains_anew(catalogue: Catalogue, tmp_path: Path, change: str) -> None:
    kept = TrainedVersions(tmp_path / "kept")
    first = kept.version(PARAMS)
    _forget(first)
    if change == "songs":
        Song.objects.filter(id=catalogue.rare_id).update(title="Renamed")
    else:
        Playlist.objects.filter(split=Playlist.Split.TRAIN, line_number=3).delete()

    again = kept.version(PARAMS)

    assert again.id > first.id
