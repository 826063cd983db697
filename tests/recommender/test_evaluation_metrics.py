"""evaluate() computes exact hit rate, NDCG and coverage on hand-made examples."""

from __future__ import annotations

import math

import numpy as np

from recommender.embeddings import SongEmbeddings
from recommender.evaluation import (
    EmbeddingRecommender,
    SuccessorRecommender,
    evaluate,
    evaluation_run,
)

TRAIN = [np.array(p) for p in ([1, 5], [1, 4], [5, 6], [5, 7], [1, 2], [1, 2])]


def test_successor_metrics_are_exact() -> None:
    # k=2 lists: 1 -> [2, 5]; 5 -> [6, 7]; 2 -> [1, 5] (popular); 9 -> [1, 5] (popular)
    pairs = np.array([[1, 5], [5, 6], [2, 9], [9, 1]])
    metrics = evaluate(
        recommender=SuccessorRecommender(playlists=TRAIN), pairs=pairs, catalogue_size=10, k=2
    )
    assert metrics.pairs == 4
    assert metrics.hit_rate_at_10 == 0.75
    assert math.isclose(metrics.ndcg_at_10, (1 / math.log2(3) + 1 + 0 + 1) / 4)
    # Followers 2, 4, 5, 6, 7 plus the 3 most popular (1, 5, 2): 6 of 10 songs.
    assert math.isclose(metrics.coverage, 0.6)
    # Lists seen: [2, 5], [6, 7], [1, 5] -> songs 1, 2, 5, 6, 7.
    assert math.isclose(metrics.recommended_share, 0.5)


def hand_made_embeddings() -> SongEmbeddings:
    vectors = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    return SongEmbeddings(
        song_ids=np.array([10, 20, 30], dtype=np.int64),
        query_vectors=vectors,
        candidate_vectors=vectors,
    )


def test_embedding_metrics_are_exact_and_seeds_without_vectors_miss() -> None:
    recommender = EmbeddingRecommender(hand_made_embeddings())
    # 10 -> [30, 20]; 20 -> [30, 10]; 30 -> [20, 10]; 99 has no vector -> nothing.
    assert recommender.recommend(np.array([10, 99]), 2).tolist() == [[30, 20], [-1, -1]]
    pairs = np.array([[10, 20], [20, 30], [30, 30], [99, 10]])
    metrics = evaluate(recommender=recommender, pairs=pairs, catalogue_size=6, k=2)
    assert metrics.hit_rate_at_10 == 0.5
    assert math.isclose(metrics.ndcg_at_10, (1 / math.log2(3) + 1) / 4)
    assert metrics.coverage == 0.5


def test_evaluation_run_scores_all_recommenders_on_the_same_pairs() -> None:
    eval_playlists = [np.array([10, 20, 30]), np.array([30, 10])]
    result = evaluation_run(
        train_playlists=[np.array([10, 20, 30, 10])],
        eval_playlists=eval_playlists,
        embeddings=hand_made_embeddings(),
        catalogue_size=3,
    )
    assert result["pairs"] == result["pairs_total"] == 3
    for name in ("model", "popularity", "successors"):
        assert result[name]["pairs"] == 3
    # Every pair's next song is among the other two songs, and k=10 lists hold both.
    assert result["model"]["hit_rate_at_10"] == 1.0
    assert result["successors"]["hit_rate_at_10"] == 1.0
