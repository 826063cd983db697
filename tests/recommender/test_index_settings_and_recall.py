"""The index follows its settings, keeps its probes in the file, and measures its own recall
against an exact numpy scan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.ml.index import IndexSettings, SongIndex, index_recall

SONGS = 3_000
DIMENSIONS = 8


def _unit_vectors(rows: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_below_the_threshold_the_index_is_exact_and_its_recall_is_one() -> None:
    vectors = _unit_vectors(SONGS)
    index = SongIndex.build(np.arange(SONGS), vectors, IndexSettings(exact_below=SONGS + 1))
    assert index.describe() == {"kind": "flat"}
    assert index_recall(index, vectors, vectors) == 1.0


def test_above_it_the_settings_shape_the_inverted_file_and_survive_a_reload(
    tmp_path: Path,
) -> None:
    vectors = _unit_vectors(SONGS)
    ids = np.arange(SONGS, dtype=np.int64) * 5 + 1
    settings = IndexSettings(exact_below=1_000, lists=40, nprobe=3)
    index = SongIndex.build(ids, vectors, settings)
    assert index.describe() == {"kind": "ivf-flat", "lists": 40, "nprobe": 3}
    index.save(tmp_path)
    loaded = SongIndex.load(tmp_path)
    assert loaded.describe() == index.describe()
    queries = _unit_vectors(200, seed=1)
    assert np.array_equal(loaded.search(queries, 10)[1], index.search(queries, 10)[1])


def test_recall_grows_with_the_lists_searched_and_is_one_when_all_are() -> None:
    vectors = _unit_vectors(SONGS)
    queries = _unit_vectors(500, seed=2)
    recalls = []
    for nprobe in (1, 4, 40):
        settings = IndexSettings(exact_below=0, lists=40, nprobe=nprobe)
        index = SongIndex.build(np.arange(SONGS), vectors, settings)
        recalls.append(index_recall(index, vectors, queries, sample=500))
    assert recalls[0] < recalls[1] < recalls[2]
    assert recalls[2] == pytest.approx(1.0)
    assert recalls[0] < 0.9  # one list of forty misses neighbours: the measure can see it


def test_settings_that_make_no_sense_are_refused() -> None:
    for bad in ({"lists": 0}, {"nprobe": 0}, {"exact_below": -1}):
        with pytest.raises(ValueError, match="positive"):
            IndexSettings(**bad)  # type: ignore[arg-type]
