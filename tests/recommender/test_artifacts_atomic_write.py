"""Artifacts are written atomically with a manifest that detects any change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recommender.artifacts import (
    ArtifactsInvalid,
    artifacts_folder_for,
    artifacts_write,
    manifest_verify,
)


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


def _files(folder: Path) -> None:
    np.save(folder / "query_vectors.npy", np.eye(3, dtype=np.float32), allow_pickle=False)
    (folder / "scorer.json").write_text('{"format": 1}', encoding="utf-8")


def _write(version_id: int = 7, write=_files, **kwargs):
    return artifacts_write(
        version_id=version_id,
        write=write,
        manifest_extra={"hyperparameters": {"vector_size": 4}, **kwargs},
    )


def test_the_folder_appears_complete_with_a_manifest_and_no_temporary_folder_is_left():
    written = _write()

    assert written.path == artifacts_folder_for(7)
    assert [p.name for p in written.path.parent.iterdir()] == ["v7"]
    manifest = manifest_verify(written.path)
    assert manifest["version_id"] == 7
    assert manifest["hyperparameters"] == {"vector_size": 4}
    listed = set(manifest["files"])
    assert listed == {p.name for p in written.path.iterdir()} - {"manifest.json"}
    assert listed == {"query_vectors.npy", "scorer.json"}
    for name, entry in manifest["files"].items():
        assert entry["bytes"] == (written.path / name).stat().st_size
        assert len(entry["sha256"]) == 64
    assert written.total_bytes == sum(e["bytes"] for e in manifest["files"].values())


def test_a_changed_file_fails_verification():
    written = _write()
    (written.path / "query_vectors.npy").write_bytes(b"changed")

    with pytest.raises(ArtifactsInvalid, match=r"query_vectors\.npy does not match"):
        manifest_verify(written.path)


def test_a_missing_file_or_manifest_fails_verification():
    written = _write()
    (written.path / "scorer.json").unlink()
    with pytest.raises(ArtifactsInvalid, match="missing"):
        manifest_verify(written.path)
    (written.path / "manifest.json").unlink()
    with pytest.raises(ArtifactsInvalid, match=r"no manifest\.json"):
        manifest_verify(written.path)


def test_an_existing_folder_is_never_replaced_and_a_failed_write_leaves_nothing():
    first = _write()
    before = json.loads((first.path / "manifest.json").read_text())

    with pytest.raises(FileExistsError):
        _write()
    with pytest.raises(TypeError):
        _write(version_id=8, not_json=object())  # the manifest cannot be written

    def broken(folder: Path) -> None:
        _files(folder)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _write(version_id=9, write=broken)

    assert json.loads((first.path / "manifest.json").read_text()) == before
    assert [p.name for p in first.path.parent.iterdir()] == ["v7"]
