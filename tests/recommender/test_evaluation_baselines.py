"""The popularity and successor baselines return exactly the documented top lists."""

from __future__ import annotations

import numpy as np

from recommender.evaluation import PopularityRecommender, SuccessorRecommender

# Plays: 1 x4, 5 x3, 2 x2, 4/6/7 x1. Followers of 1: 2 twice, 4 once, 5 once.
TRAIN = [np.array(p) for p in ([1, 5], [1, 4], [5, 6], [5, 7], [1, 2], [1, 2])]


def test_popularity_recommends_most_played_songs_but_never_the_seed() -> None:
    recommender = PopularityRecommender(playlists=TRAIN)
    assert recommender.recommend(np.array([1, 9]), 3).tolist() == [[5, 2, 4], [1, 5, 2]]


def test_successors_rank_by_follow_count_then_popularity_then_fill_with_popular() -> None:
    recommender = SuccessorRecommender(playlists=TRAIN)
    top = recommender.recommend(np.array([1, 1, 5, 2, 42]), 5)
    assert top.tolist() == [
        [2, 5, 4, 6, 7],  # 2 follows twice; 5 and 4 once each, 5 is more popular
        [2, 5, 4, 6, 7],
        [6, 7, 1, 2, 4],  # 6 and 7 tie everywhere: lower id first; then popular, not the seed
        [1, 5, 4, 6, 7],  # 2 has no followers: popular songs other than 2
        [1, 5, 2, 4, 6],  # an unknown seed: popular songs
    ]


def test_a_song_following_itself_is_never_recommended_for_itself() -> None:
    recommender = SuccessorRecommender(playlists=[np.array([3, 3, 3, 8])])
    assert recommender.recommend(np.array([3]), 2).tolist() == [[8, -1]]
