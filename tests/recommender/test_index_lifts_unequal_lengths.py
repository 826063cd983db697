"""An inverted file over vectors of unequal lengths (the raw output vectors "what comes next"
searches) lifts them to one length: the answers are the same inner products, found in fewer
lists, and the file is asked, saved, loaded and read back like any other."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from recommender.ml.index import IndexSettings, SongIndex, index_recall

SONGS = 4_000
DIMENSIONS = 8
LISTS = 40


def _vectors_of_many_lengths(rows: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(rows, DIMENSIONS))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    # Lengths spread like trained output vectors' (a long tail of long rows).
    return (directions * rng.gamma(2.0, 1.0, size=(rows, 1))).astype(np.float32)


def _queries(rows: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, DIMENSIONS)).astype(np.float32)


def _settings(nprobe: int) -> IndexSettings:
    return IndexSettings(exact_below=0, lists=LISTS, nprobe=nprobe, recall_target=None)


def test_searching_every_list_gives_the_exact_inner_products_and_ids() -> None:
    vectors = _vectors_of_many_lengths(SONGS)
    ids = np.arange(SONGS, dtype=np.int64) * 7 + 3
    index = SongIndex.build(ids, vectors, _settings(nprobe=LISTS))
    assert index.describe() == {"kind": "ivf-flat", "lists": LISTS, "nprobe": LISTS, "lifted": True}
    assert index.dimensions == DIMENSIONS  # asked with ordinary vectors
    queries = _queries(50, seed=1)
    scores, found = index.search(queries, 10)
    exact = queries @ vectors.T
    best = np.argsort(-exact, axis=1, kind="stable")[:, :10]
    assert np.array_equal(found, ids[best])
    assert np.allclose(scores, np.take_along_axis(exact, best, axis=1), rtol=1e-5, atol=1e-4)


def test_the_lifted_file_finds_more_of_the_best_than_raw_lengths_in_the_same_lists() -> None:
    vectors = _vectors_of_many_lengths(SONGS)
    queries = _queries(500, seed=2)
    lifted = SongIndex.build(np.arange(SONGS), vectors, _settings(nprobe=4))
    # The same file on raw lengths, built with FAISS directly as before lifting existed.
    raw = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(DIMENSIONS), DIMENSIONS, LISTS, faiss.METRIC_INNER_PRODUCT
    )
    raw.train(vectors)
    raw.nprobe = 4
    unlifted = SongIndex(faiss.IndexIDMap2(raw))
    unlifted._index.add_with_ids(vectors, np.arange(SONGS, dtype=np.int64))
    lifted_recall = index_recall(lifted, vectors, queries, sample=500)
    raw_recall = index_recall(unlifted, vectors, queries, sample=500)
    assert lifted_recall > raw_recall + 0.05, (lifted_recall, raw_recall)


def test_a_lifted_file_survives_a_reload_and_gives_back_the_vectors_as_given(
    tmp_path: Path,
) -> None:
    vectors = _vectors_of_many_lengths(SONGS)
    ids = np.arange(SONGS, dtype=np.int64) + 100
    index = SongIndex.build(ids, vectors, _settings(nprobe=6))
    index.save(tmp_path)
    loaded = SongIndex.load(tmp_path)
    assert loaded.describe() == index.describe()
    queries = _queries(100, seed=3)
    assert np.array_equal(loaded.search(queries, 10)[1], index.search(queries, 10)[1])
    assert np.array_equal(loaded.vector(int(ids[17])), vectors[17])
    assert int(ids[17]) in loaded
    assert 99 not in loaded


def test_unit_vectors_are_stored_as_they_are() -> None:
    vectors = _vectors_of_many_lengths(SONGS)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = SongIndex.build(np.arange(SONGS), vectors, _settings(nprobe=4))
    assert "lifted" not in index.describe()


def test_a_file_with_more_lists_may_search_the_same_share_of_them() -> None:
    settings = IndexSettings(lists=256, nprobe=64)
    assert settings.most_probes(256) == 64
    assert settings.most_probes(500) == 125
    assert settings.most_probes(100) == 64  # a small file keeps the ceiling
    assert settings.most_probes(40) == 40  # and never more than it has


@pytest.mark.parametrize("clustered", [False, True])
def test_with_a_recall_target_the_file_that_needs_fewer_probes_is_kept(clustered: bool) -> None:
    """The build calibrates the lifted and the raw file and keeps the one with fewer probes,
    on a tie the one that found more on the calibration sample (seed 1, the default size)."""
    vectors = _vectors_of_many_lengths(SONGS, seed=4)
    if clustered:
        rng = np.random.default_rng(4)
        centres = rng.normal(size=(20, DIMENSIONS))
        lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
        directions = centres[rng.integers(0, 20, SONGS)] + 0.3 * vectors / lengths
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        vectors = (directions * lengths).astype(np.float32)
    queries = _queries(2_000, seed=5)

    def built(lift: bool | None) -> SongIndex:
        settings = IndexSettings(
            exact_below=0, lists=LISTS, nprobe=LISTS, recall_target=0.9, lift=lift
        )
        return SongIndex.build(np.arange(SONGS), vectors, settings, queries=queries)

    def cost(index: SongIndex) -> tuple[int, float]:
        return index.probes, -index_recall(index, vectors, queries, seed=1)

    lifted, raw, chosen = built(True), built(False), built(None)
    assert lifted.describe()["lifted"] is True
    assert "lifted" not in raw.describe()
    assert cost(chosen) == min(cost(lifted), cost(raw))
    assert chosen.describe() == min((lifted, raw), key=cost).describe()
