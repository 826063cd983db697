"""The counting baselines return exactly the documented lists from the version's statistics."""

from __future__ import annotations

import numpy as np

from recommender.ml.baselines import baselines_build
from recommender.ml.statistics import statistics_build

# Plays: 1 x4, 5 x3, 2 x2, 4/6/7 x1. Followers of 1: 2 twice, 4 once, 5 once.
TRAIN = [np.array(p) for p in ([1, 5], [1, 4], [5, 6], [5, 7], [1, 2], [1, 2])]
POPULAR = np.array([1, 5, 2, 4, 6, 7])


def _baselines(playlists=TRAIN, size: int = 10):
    statistics = statistics_build(playlists=playlists, catalogue_size=size)
    return baselines_build(statistics=statistics, popular=POPULAR)


def _ids(ranked) -> list[int]:
    return ranked.song_ids.tolist()


def test_popularity_recommends_most_played_songs_but_never_the_context() -> None:
    popularity = _baselines()["popularity"]
    assert _ids(popularity.next([1], 3)) == [5, 2, 4]
    assert _ids(popularity.continuation([1, 5], 3)) == [2, 4, 6]
    assert _ids(popularity.similar(9, 3)) == [1, 5, 2]


def test_successors_rank_by_follow_count_then_lower_id_then_fill_with_popular() -> None:
    successors = _baselines()["successors"]
    assert _ids(successors.next([1], 5)) == [2, 4, 5, 6, 7]
    assert _ids(successors.next([5], 5)) == [6, 7, 1, 2, 4]
    assert _ids(successors.similar(2, 4)) == [1, 5, 4, 6]  # 2 has no followers: popular
    assert _ids(successors.next([1], 5, exclude=[2])) == [4, 5, 6, 7]


def test_multi_step_weights_each_gap_by_its_inverse() -> None:
    multi = _baselines(playlists=[np.array([1, 2, 3]), np.array([2, 4]), np.array([2, 4])])[
        "multi_step"
    ]
    # After [1, 2]: 4 followed 2 twice (2.0); 3 followed 2 once (1.0) and 1 at gap 2 (0.5).
    assert _ids(multi.next([1, 2], 2)) == [4, 3]
    multi = _baselines(playlists=[np.array([1, 2, 3]), np.array([2, 4])])["multi_step"]
    assert _ids(multi.next([1, 2], 2)) == [3, 4]  # 1.5 against 1.0


def test_second_order_prefers_what_followed_the_pair_and_backs_off_to_successors() -> None:
    second = _baselines(playlists=[np.array([1, 2, 3]), np.array([2, 4]), np.array([2, 4])])[
        "second_order"
    ]
    assert _ids(second.next([1, 2], 2)) == [3, 4]  # the pair (1, 2) was followed by 3
    assert _ids(second.next([9, 2], 2)) == [4, 3]  # unknown pair: successors of 2


def test_cooccurrence_sums_shared_playlists_over_the_seeds() -> None:
    cooccurrence = _baselines(
        playlists=[np.array([1, 2, 3]), np.array([1, 3]), np.array([2, 4]), np.array([5, 6])]
    )["cooccurrence"]
    # 3 shares two playlists with 1 and one with 2; 4 one with 2.
    assert _ids(cooccurrence.continuation([1, 2], 2)) == [3, 4]


def test_a_song_following_itself_is_never_recommended_for_itself() -> None:
    successors = _baselines(playlists=[np.array([3, 3, 3, 8])])["successors"]
    assert _ids(successors.next([3], 1)) == [8]
