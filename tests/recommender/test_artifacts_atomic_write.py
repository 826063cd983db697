"""Artifacts are written atomically with a manifest that detects any change."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recommender.artifacts import (
    ArtifactsInvalid,
    artifacts_folder_for,
    artifacts_load,
    artifacts_write,
    fallback_tables_compute,
    fallbacks_load,
    manifest_verify,
)
from recommender.embeddings import SongEmbeddings
from recommender.index import SongIndex

PLAYLISTS = [np.array([1, 2, 3, 2, 3]), np.array([3, 2, 4]), np.array([5, 5, 1])]


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


def _embeddings() -> SongEmbeddings:
    ids = np.array([1, 2, 3, 4, 5], dtype=np.int64)
    vectors = np.eye(5, 4, dtype=np.float32) + 0.1
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return SongEmbeddings(song_ids=ids, query_vectors=vectors, candidate_vectors=vectors)


def _write(version_id: int = 7, **kwargs):
    embeddings = _embeddings()
    return artifacts_write(
        version_id=version_id,
        embeddings=embeddings,
        index=SongIndex.build(embeddings.song_ids, embeddings.candidate_vectors),
        fallbacks=fallback_tables_compute(playlists=PLAYLISTS),
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
    for name, entry in manifest["files"].items():
        assert entry["bytes"] == (written.path / name).stat().st_size
        assert len(entry["sha256"]) == 64


def test_load_round_trips_vectors_index_and_fallbacks():
    _write()
    loaded = artifacts_load(artifacts_folder_for(7))

    np.testing.assert_array_equal(loaded.embeddings.song_ids, _embeddings().song_ids)
    assert len(loaded.index) == 5
    # Plays: 3 x3 (songs 2, 3), 2 x (1, 5), 1 x 4; ties by lower id.
    assert loaded.fallbacks.popular_ids == (2, 3, 1, 5, 4)
    assert loaded.fallbacks.popular_counts == (3, 3, 2, 2, 1)
    # 2 -> 3 twice, 3 -> 2 twice; 5 -> 5 is dropped (a song never follows itself).
    assert loaded.fallbacks.successors[2][0] == (3, 2)
    assert loaded.fallbacks.successors[3][0] == (2, 2)
    assert 5 in loaded.fallbacks.successors and loaded.fallbacks.successors[5] == ((1, 1),)
    assert fallbacks_load(artifacts_folder_for(7)) == loaded.fallbacks


def test_a_changed_file_fails_verification():
    written = _write()
    (written.path / "query_vectors.npy").write_bytes(b"changed")

    with pytest.raises(ArtifactsInvalid, match=r"query_vectors\.npy does not match"):
        artifacts_load(written.path)


def test_a_missing_file_or_manifest_fails_verification():
    written = _write()
    (written.path / "popular.npy").unlink()
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

    assert json.loads((first.path / "manifest.json").read_text()) == before
    assert [p.name for p in first.path.parent.iterdir()] == ["v7"]


def test_successor_lists_are_capped_per_song():
    playlist = np.array([0, *range(1, 40), 0, *range(1, 40)])  # 0 is followed by 1 only
    fan_out = [np.array([0, n]) for n in range(1, 40)]  # ... and by 1..39 once each
    tables = fallback_tables_compute(playlists=[playlist, *fan_out], per_song=5)
    from_zero = tables.successors[tables.successors[:, 0] == 0]
    assert len(from_zero) == 5
    assert from_zero[0].tolist() == [0, 1, 3]  # twice in the long playlist + once fanned out
