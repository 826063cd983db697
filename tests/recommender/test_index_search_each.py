"""A batched search answers every row exactly as a single search for that row does."""

from __future__ import annotations

import faiss  # the settings search_each must restore are FAISS's own
import numpy as np

from recommender.ml.index import IndexSettings, SongIndex, one_search_thread

SONGS = 2_500
DIMENSIONS = 64
K = 51


def _near_ties() -> np.ndarray:
    """Unit vectors on a coarse grid, then nudged: many scores equal to the last bits, so
    the order of additions decides their ranking."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(SONGS, DIMENSIONS))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.round(vectors * 4) / 4 + rng.normal(scale=1e-6, size=vectors.shape)
    return vectors.astype(np.float32)


def test_every_row_of_a_batch_is_what_a_single_search_answers() -> None:
    vectors = _near_ties()
    index = SongIndex.build(np.arange(SONGS), vectors, IndexSettings(exact_below=SONGS + 1))
    with one_search_thread():
        single = np.stack([index.search(vectors[row], K)[1][0] for row in range(SONGS)])
        plain = index.search(vectors, K)[1]

    _, each = index.search_each(vectors, K)

    np.testing.assert_array_equal(each, single)
    # This data does tell the kernels apart: FAISS's own batch (matrix products) orders some
    # near ties otherwise. Should that stop, the assertion above has lost its witness.
    assert (plain != single).any()


def test_the_thread_and_kernel_settings_are_restored() -> None:
    vectors = _near_ties()[:100]
    index = SongIndex.build(np.arange(100), vectors)
    default = faiss.cvar.distance_compute_blas_threshold
    # A value of its own, so that a setting left behind by an earlier search cannot pass.
    faiss.cvar.distance_compute_blas_threshold = 4_321
    try:
        with one_search_thread():
            index.search_each(vectors, 5)
            assert faiss.omp_get_max_threads() == 1
        assert faiss.cvar.distance_compute_blas_threshold == 4_321
    finally:
        faiss.cvar.distance_compute_blas_threshold = default
