"""SongIndex: exact inner-product search whose ids are song ids, and a save/load round trip."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.index import SongIndex


def _vectors(n: int, d: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_search_returns_the_exact_best_song_ids_by_inner_product():
    song_ids = np.array([70, 3, 512, 9, 1000, 41, 8, 23], dtype=np.int64)
    vectors = _vectors(len(song_ids), 6)
    queries = _vectors(3, 6, seed=1)

    scores, ids = SongIndex.build(song_ids, vectors).search(queries, 4)

    brute = queries @ vectors.T
    for row in range(len(queries)):
        order = np.argsort(-brute[row])[:4]
        assert ids[row].tolist() == song_ids[order].tolist()
        np.testing.assert_allclose(scores[row], brute[row][order], rtol=1e-5)


def test_save_then_load_answers_the_same(tmp_path):
    song_ids = np.arange(100, 150, dtype=np.int64)
    vectors = _vectors(50, 8)
    index = SongIndex.build(song_ids, vectors)
    index.save(tmp_path)

    loaded = SongIndex.load(tmp_path)

    assert len(loaded) == 50
    np.testing.assert_array_equal(loaded.vector(120), vectors[20])
    assert loaded.search(vectors[:5], 3)[1].tolist() == index.search(vectors[:5], 3)[1].tolist()


def test_unknown_song_and_mismatched_input_are_reported():
    index = SongIndex.build(np.array([1, 2]), _vectors(2, 4))
    with pytest.raises(KeyError):
        index.vector(3)
    assert 3 not in index and 2 in index
    with pytest.raises(ValueError, match="dimensions"):
        index.search(_vectors(1, 5), 1)
    with pytest.raises(ValueError, match="unique"):
        SongIndex.build(np.array([1, 1]), _vectors(2, 4))


def test_asking_for_more_than_the_index_holds_pads_with_minus_one():
    _, ids = SongIndex.build(np.array([5, 6]), _vectors(2, 4)).search(_vectors(1, 4), 4)
    assert sorted(ids[0][:2].tolist()) == [5, 6]
    assert ids[0][2:].tolist() == [-1, -1]


def test_a_large_catalogue_gets_an_inverted_file_that_still_reaches_every_song(tmp_path) -> None:
    from recommender.ml.index import EXACT_BELOW

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(EXACT_BELOW + 5_000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    song_ids = np.arange(len(vectors), dtype=np.int64) * 3 + 7
    index = SongIndex.build(song_ids, vectors)
    index.save(tmp_path)
    loaded = SongIndex.load(tmp_path)
    sample = rng.choice(len(vectors), 500, replace=False)

    for searched in (index, loaded):
        # Each song is its own nearest neighbour (cosine 1), so every one can be found.
        _, ids = searched.search(vectors[sample], 1)
        assert ids[:, 0].tolist() == song_ids[sample].tolist()
    # Approximate, not arbitrary: most of the exact top 20 is found.
    exact = vectors[sample] @ vectors.T
    truth = song_ids[np.argsort(-exact, axis=1)[:, :20]]
    _, found = loaded.search(vectors[sample], 20)
    recall = np.mean([len(set(t) & set(f)) / 20 for t, f in zip(truth, found, strict=True)])
    assert recall > 0.6, recall
    np.testing.assert_array_equal(loaded.vector(int(song_ids[42])), vectors[42])
    assert int(song_ids[7]) in loaded and 8 not in loaded
