"""The index follows its settings, keeps its probes in the file, and measures its own recall
against an exact numpy scan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.ml.index import NPROBE_LADDER, IndexSettings, SongIndex, index_recall

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
    settings = IndexSettings(exact_below=1_000, lists=40, nprobe=3, recall_target=None)
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
        settings = IndexSettings(exact_below=0, lists=40, nprobe=nprobe, recall_target=None)
        index = SongIndex.build(np.arange(SONGS), vectors, settings)
        recalls.append(index_recall(index, vectors, queries, sample=500))
    assert recalls[0] < recalls[1] < recalls[2]
    assert recalls[2] == pytest.approx(1.0)
    assert recalls[0] < 0.9  # one list of forty misses neighbours: the measure can see it


def test_settings_that_make_no_sense_are_refused() -> None:
    for bad in ({"lists": 0}, {"nprobe": 0}, {"exact_below": -1}, {"lists_per_root": -1.0}):
        with pytest.raises(ValueError, match="positive"):
            IndexSettings(**bad)  # type: ignore[arg-type]


def test_a_recall_target_searches_the_fewest_lists_that_reach_it() -> None:
    vectors = _unit_vectors(SONGS)
    target = 0.9
    settings = IndexSettings(exact_below=0, lists=40, nprobe=40, recall_target=target)
    index = SongIndex.build(np.arange(SONGS), vectors, settings)
    chosen = index.describe()["nprobe"]
    assert isinstance(chosen, int)
    assert 1 < chosen < 40  # neither the cheapest rung nor the ceiling, on this data
    assert index_recall(index, vectors, vectors, seed=1) >= target
    # The rung below the chosen one misses the target on the same sample.
    below = max(n for n in NPROBE_LADDER if n < chosen)
    fixed = IndexSettings(exact_below=0, lists=40, nprobe=below, recall_target=None)
    cheaper = SongIndex.build(np.arange(SONGS), vectors, fixed)
    assert index_recall(cheaper, vectors, vectors, seed=1) < target


def test_a_recall_target_never_searches_more_lists_than_allowed() -> None:
    vectors = _unit_vectors(SONGS)
    settings = IndexSettings(exact_below=0, lists=40, nprobe=2, recall_target=1.0)
    index = SongIndex.build(np.arange(SONGS), vectors, settings)
    assert index.describe()["nprobe"] == 2


def test_a_recall_target_outside_zero_to_one_is_refused() -> None:
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="recall target"):
            IndexSettings(recall_target=bad)


def test_the_lists_grow_with_the_square_root_of_the_songs_above_the_fewest() -> None:
    settings = IndexSettings(lists=256, lists_per_root=0.5)
    assert settings.lists_for(70_000) == 256  # yes_complete's size keeps the fewest
    assert settings.lists_for(1_000_000) == 500
    assert settings.lists_for(4_000_000) == 1_000
    assert settings.lists_for(1_000) == 1_000 // 64  # never fewer than 64 songs a list


def test_a_large_catalogue_builds_the_grown_number_of_lists() -> None:
    vectors = _unit_vectors(SONGS)
    settings = IndexSettings(exact_below=0, lists=4, lists_per_root=0.5, recall_target=None)
    index = SongIndex.build(np.arange(SONGS), vectors, settings)
    assert index.describe()["lists"] == round(0.5 * SONGS**0.5) == 27
