"""The ablation's paired test says whether two rankers differ on the same cases by more than
chance: nothing for identical answers, clearly for a ranker right where the other is wrong."""

from __future__ import annotations

import math

import numpy as np

from recommender.ml.baselines import baselines_build
from recommender.ml.evaluation import (
    Cases,
    Judge,
    answers_collect,
    paired_comparison,
    scores_all,
    sign_test,
)
from recommender.ml.features import CatalogueArrays
from recommender.ml.statistics import statistics_build

SIZE = 60


def _setup() -> tuple[Cases, dict, Judge]:
    """Radio rounds through songs 0..59 in order: song i is always followed by i + 1."""
    rng = np.random.default_rng(3)
    playlists = []
    for _ in range(40):
        start = int(rng.integers(SIZE))
        playlists.append((start + np.arange(12)) % SIZE)
    statistics = statistics_build(playlists=playlists, catalogue_size=SIZE)
    catalogue = CatalogueArrays.build(
        catalogue_size=SIZE,
        artists={song: f"artist {song % 9}" for song in range(SIZE)},
        tags={song: [song % 4] for song in range(0, SIZE, 2)},
    )
    judge = Judge(statistics=statistics, catalogue=catalogue)
    popular = np.argsort(-statistics.plays, kind="stable").astype(np.int64)
    seeds = np.arange(SIZE, dtype=np.int64).repeat(3)
    cases = Cases(
        next_histories=tuple((int(s),) for s in seeds),
        next_targets=(seeds + 1) % SIZE,
        continuation_seeds=(),
        continuation_truth=(),
        similar_seeds=seeds,
        similar_targets=(seeds + 1) % SIZE,
    )
    rankers = baselines_build(statistics=statistics, popular=popular)
    answers = answers_collect(rankers=rankers, cases=cases)
    return cases, scores_all(answers, cases, judge), judge


def test_a_ranker_compared_with_itself_differs_by_nothing_with_p_one() -> None:
    cases, scored, judge = _setup()
    same = scored["similar"]["successors"]
    result = paired_comparison(("both", "statistics"), same, same, cases, judge)
    assert set(result) == {"hit_rate_at_10", "tag_agreement", "reach", "popularity_ratio"}
    for entry in result.values():
        assert entry["both_minus_statistics"] == 0
        assert entry["p_value"] == 1.0
        assert entry["ci95"] in (None, [0.0, 0.0])
    assert result["hit_rate_at_10"]["discordant"] == [0, 0]


def test_a_ranker_right_where_the_other_is_wrong_gets_a_small_p_and_an_interval_above_zero() -> (
    None
):
    cases, scored, judge = _setup()
    better, worse = scored["similar"]["successors"], scored["similar"]["popularity"]
    result = paired_comparison(("both", "statistics"), better, worse, cases, judge)
    hits = result["hit_rate_at_10"]
    assert hits["both"] == 1.0  # the successor table knows every next song
    assert hits["both"] - hits["statistics"] == hits["both_minus_statistics"] > 0.5
    wins, losses = hits["discordant"]
    assert wins > 100 and losses == 0
    assert hits["p_value"] < 1e-30
    low, high = hits["ci95"]
    assert 0 < low <= hits["both_minus_statistics"] <= high
    # Popularity repeats the same ten songs for every seed: a far smaller reach.
    assert result["reach"]["both_minus_statistics"] > 0
    assert result["reach"]["p_value"] < 0.01


def test_every_interval_contains_its_difference() -> None:
    cases, scored, judge = _setup()
    by = scored["next_one_song"]
    for a, b in (("successors", "cooccurrence"), ("cooccurrence", "popularity")):
        result = paired_comparison(("both", "statistics"), by[a], by[b], cases, judge)
        for name, entry in result.items():
            if entry["ci95"] is not None:
                low, high = entry["ci95"]
                assert low <= entry["both_minus_statistics"] <= high, (a, b, name)
            assert 0 < entry["p_value"] <= 1


def test_the_sign_test_is_the_exact_binomial_tail() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(3, 3) == 1.0
    assert math.isclose(sign_test(5, 0), 2 / 2**5)
    assert math.isclose(sign_test(1, 9), 2 * (1 + 10) / 2**10)
    assert sign_test(9, 1) == sign_test(1, 9)
