"""The evaluation's metrics are exact on hand-made cases."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from recommender.ml.baselines import baselines_build
from recommender.ml.evaluation import (
    Cases,
    Judge,
    cases_build,
    evaluate_continuation,
    evaluate_next,
    evaluate_similar,
)
from recommender.ml.features import CatalogueArrays
from recommender.ml.statistics import statistics_build

TRAIN = [np.array(p) for p in ([1, 5], [1, 4], [5, 6], [5, 7], [1, 2], [1, 2])]
SIZE = 10
POPULAR = np.array([1, 5, 2, 4, 6, 7])


def _setup():
    statistics = statistics_build(playlists=TRAIN, catalogue_size=SIZE)
    # Artist "a" sings 4, 6 and 7; tag 0 is on 1, 2 and 4; tag 1 on 5.
    catalogue = CatalogueArrays.build(
        catalogue_size=SIZE,
        artists={4: "a", 6: "a", 7: "a", 5: "b"},
        tags={1: [0], 2: [0], 4: [0], 5: [1]},
    )
    judge = Judge(statistics=statistics, catalogue=catalogue)
    return baselines_build(statistics=statistics, popular=POPULAR), judge


def _cases(**fields: Any) -> Cases:
    empty = np.zeros(0, dtype=np.int64)
    values: dict[str, Any] = {
        "next_histories": (),
        "next_targets": empty,
        "continuation_seeds": (),
        "continuation_truth": (),
        "similar_seeds": empty,
        "similar_targets": empty,
    }
    values.update(fields)
    return Cases(**values)


def test_next_hit_rate_ndcg_reach_popularity_ratio_and_crowding_are_exact() -> None:
    baselines, judge = _setup()
    # Successor lists (k=10): after 1 -> [2, 4, 5, 6, 7]; after 5 -> [6, 7, 1, 2, 4].
    cases = _cases(next_histories=((9, 1), (5,)), next_targets=np.array([4, 3]))
    metrics = evaluate_next(baselines["successors"], cases, judge)
    assert metrics["cases"] == 2
    assert metrics["hit_rate_at_10"] == 0.5
    assert math.isclose(metrics["ndcg_at_10"], (1 / math.log2(3)) / 2)
    assert math.isclose(metrics["reach"], 6 / SIZE)  # 1, 2, 4, 5, 6, 7
    plays = {1: 4, 2: 2, 4: 1, 5: 3, 6: 1, 7: 1, 3: 0}
    recommended = sum(plays[s] for s in [2, 4, 5, 6, 7]) + sum(plays[s] for s in [6, 7, 1, 2, 4])
    assert math.isclose(metrics["popularity_ratio"], (recommended / 10) / 0.5, rel_tol=1e-6)
    assert metrics["artist_crowded_share"] == 1.0  # 4, 6 and 7 by one artist in both lists


def test_history_one_uses_the_newest_song_only() -> None:
    baselines, judge = _setup()
    cases = _cases(next_histories=((1, 5),), next_targets=np.array([6]))
    assert evaluate_next(baselines["successors"], cases, judge, history=1)["hit_rate_at_10"] == 1.0


def test_continuation_precision_and_r_precision_are_exact() -> None:
    baselines, judge = _setup()
    # Popularity after seeds {1, 5}: [2, 4, 6, 7]; truth {2, 7}: 2 of 10 right, R=2: 1 of 2.
    cases = _cases(continuation_seeds=((1, 5),), continuation_truth=(np.array([2, 7]),))
    metrics = evaluate_continuation(baselines["popularity"], cases, judge)
    assert math.isclose(metrics["precision_at_10"], 0.2)
    assert math.isclose(metrics["r_precision"], 0.5)


def test_similar_tag_agreement_counts_songs_sharing_a_tag_with_the_seed() -> None:
    baselines, judge = _setup()
    # Successors of 1: [2, 4, 5, 6, 7]: 2 and 4 carry tag 0 like 1 does.
    cases = _cases(similar_seeds=np.array([1, 3]), similar_targets=np.array([5, 1]))
    metrics = evaluate_similar(baselines["successors"], cases, judge)
    assert metrics["hit_rate_at_10"] == 1.0  # 5 after 1; 1 is the most popular song for 3
    assert math.isclose(metrics["tag_agreement"], 2 / 5)  # song 3 has no tag: not counted


def test_cases_are_deterministic_and_keep_the_protocol() -> None:
    rng = np.random.default_rng(0)
    playlists = [rng.choice(400, size=20 + i % 7, replace=False) for i in range(60)]
    playlists.append(np.array([1, 2, 1, 2]))  # too few distinct songs for continuation
    cases = cases_build(playlists=playlists, next_cases=50, continuation_cases=30, similar_cases=40)
    again = cases_build(playlists=playlists, next_cases=50, continuation_cases=30, similar_cases=40)
    assert cases.counts() == {"next": 50, "continuation": 30, "similar": 40}
    assert cases.next_histories == again.next_histories
    assert cases.continuation_seeds == again.continuation_seeds
    assert all(1 <= len(history) <= 5 for history in cases.next_histories)
    played = {tuple(p.tolist()) for p in playlists}
    for seeds, truth in zip(cases.continuation_seeds, cases.continuation_truth, strict=True):
        assert len(set(seeds)) == 5 and not set(seeds) & set(truth.tolist())
        owner = [p for p in played if set(seeds) <= set(p)]
        assert owner and len(set(owner[0])) >= 15
        assert set(truth.tolist()) == set(owner[0]) - set(seeds)
