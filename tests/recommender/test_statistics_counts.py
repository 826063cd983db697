"""Playlist statistics count what the playlists say, and survive a save and load."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.statistics import STATISTICS_FILE, PlaylistStatistics, statistics_build

PLAYLISTS = [
    np.array([1, 2, 3, 2, 3]),
    np.array([3, 2, 4]),
    np.array([5, 5, 1]),
    np.array([1, 2, 3]),
]


def _targets(table, song):
    targets, counts = table.row(song)
    return list(zip(targets.tolist(), counts.tolist(), strict=True))


def test_successors_count_each_gap_and_never_a_song_after_itself():
    stats = statistics_build(playlists=PLAYLISTS, catalogue_size=6)

    # 2 -> 3 three times (twice in the first playlist, once in the last), 2 -> 4 once.
    assert _targets(stats.successors[0], 2) == [(3, 3.0), (4, 1.0)]
    assert _targets(stats.successors[0], 5) == [(1, 1.0)]  # 5 -> 5 is not counted
    assert stats.successors[0].total(2) == 4.0
    # Gap 2: 1 -> 3 (twice), 2 -> 2 is dropped, 3 -> 3 is dropped, 3 -> 4 once, 5 -> 1 once.
    assert _targets(stats.successors[1], 1) == [(3, 2.0)]
    assert _targets(stats.successors[1], 3) == [(4, 1.0)]
    assert stats.plays.tolist() == [0, 3, 4, 4, 1, 2]


def test_second_order_follows_the_pair_not_the_song():
    stats = statistics_build(playlists=PLAYLISTS, catalogue_size=6)

    assert _targets(stats.second_order, stats.pair_row(1, 2)) == [(3, 2.0)]
    assert _targets(stats.second_order, stats.pair_row(3, 2)) == [(3, 1.0), (4, 1.0)]
    assert stats.pair_row(4, 1) == -1
    assert stats.second_order.row(-1)[0].size == 0


def test_cooccurrence_counts_shared_playlists_once_each():
    stats = statistics_build(playlists=PLAYLISTS, catalogue_size=6)

    # 2 and 3 share three playlists however often they repeat in them.
    assert _targets(stats.cooccurrence, 2) == [(3, 3.0), (1, 2.0), (4, 1.0)]
    assert stats.playlist_counts.tolist() == [0, 3, 3, 3, 1, 1]
    assert 5 not in [t for t, _ in _targets(stats.cooccurrence, 5)]


def test_rows_are_cut_to_the_most_frequent_but_totals_stay_exact():
    playlists = [np.array([0, 1, 0, 1, 0, 1])] + [np.array([0, n]) for n in range(2, 30)]
    stats = statistics_build(
        playlists=playlists, catalogue_size=30, successors_per_song=5, cooccurrence_per_song=4
    )

    kept = _targets(stats.successors[0], 0)
    assert len(kept) == 5 and kept[0] == (1, 3.0)
    assert stats.successors[0].total(0) == 3.0 + 28.0
    assert len(_targets(stats.cooccurrence, 0)) == 4


def test_save_then_load_gives_the_same_tables(tmp_path):
    stats = statistics_build(playlists=PLAYLISTS, catalogue_size=6)
    stats.save(tmp_path)
    loaded = PlaylistStatistics.load(tmp_path)

    for gap in range(stats.max_gap):
        np.testing.assert_array_equal(loaded.successors[gap].targets, stats.successors[gap].targets)
        np.testing.assert_array_equal(loaded.successors[gap].counts, stats.successors[gap].counts)
    np.testing.assert_array_equal(loaded.pair_keys, stats.pair_keys)
    np.testing.assert_array_equal(loaded.cooccurrence.indptr, stats.cooccurrence.indptr)
    assert loaded.pair_row(1, 2) == stats.pair_row(1, 2)


def test_tables_that_do_not_fit_together_are_refused(tmp_path):
    stats = statistics_build(playlists=PLAYLISTS, catalogue_size=6)
    stats.save(tmp_path)
    with np.load(tmp_path / STATISTICS_FILE) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["successors_1.targets"] = arrays["successors_1.targets"] + 100
    np.savez(tmp_path / STATISTICS_FILE, **arrays)

    with pytest.raises(ValueError, match="outside the catalogue"):
        PlaylistStatistics.load(tmp_path)


def test_songs_outside_the_catalogue_are_refused():
    with pytest.raises(ValueError, match="outside the catalogue"):
        statistics_build(playlists=[np.array([1, 9])], catalogue_size=5)
