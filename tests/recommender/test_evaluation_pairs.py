"""Next-song pairs are every consecutive pair of every playlist, in order."""

from __future__ import annotations

import numpy as np

from recommender.evaluation import next_song_pairs, pairs_sample


def test_next_song_pairs_on_a_tiny_example() -> None:
    playlists = [np.array([5, 6, 7], dtype=np.int32), np.array([9]), np.array([]), np.array([7, 5])]
    pairs = next_song_pairs(playlists=playlists)
    assert pairs.dtype == np.int64
    assert pairs.tolist() == [[5, 6], [6, 7], [7, 5]]


def test_no_pairs_without_a_playlist_of_two_songs() -> None:
    assert next_song_pairs(playlists=[np.array([1])]).shape == (0, 2)


def test_sampled_pairs_are_a_deterministic_ordered_subset() -> None:
    pairs = np.stack([np.arange(1000), np.arange(1000) + 1], axis=1)
    sample = pairs_sample(pairs=pairs, limit=100)
    assert len(sample) == 100
    assert np.array_equal(sample, pairs_sample(pairs=pairs, limit=100))
    assert np.all(np.diff(sample[:, 0]) > 0)
    assert pairs_sample(pairs=pairs, limit=None) is pairs
