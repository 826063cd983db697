"""With one song of context the three successor baselines give the same lists, so the
evaluation asks one of them and copies its lists: the metrics are those of asking each."""

from __future__ import annotations

import numpy as np

from recommender.ml.baselines import ONE_SONG_SAME_AS, baselines_build
from recommender.ml.evaluation import (
    ONE_SONG_QUESTIONS,
    Judge,
    answers_collect,
    cases_build,
    metrics_all,
    scores_all,
)
from recommender.ml.features import CatalogueArrays
from recommender.ml.statistics import statistics_build

SIZE = 80


def _playlists(count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.choice(SIZE, size=int(rng.integers(16, 30))) for _ in range(count)]


def test_copied_baseline_lists_are_the_lists_each_baseline_gives() -> None:
    statistics = statistics_build(playlists=_playlists(120, 1), catalogue_size=SIZE)
    catalogue = CatalogueArrays.build(
        catalogue_size=SIZE, artists={s: f"a{s % 5}" for s in range(SIZE)}, tags={}
    )
    judge = Judge(statistics=statistics, catalogue=catalogue)
    popular = np.argsort(-statistics.plays, kind="stable").astype(np.int64)
    rankers = baselines_build(statistics=statistics, popular=popular)
    cases = cases_build(playlists=_playlists(30, 2))
    asked = answers_collect(rankers=rankers, cases=cases)
    copied = answers_collect(rankers=rankers, cases=cases, same_on_one_song=ONE_SONG_SAME_AS)
    for question in asked:
        for name in rankers:
            assert len(asked[question][name]) == len(copied[question][name]) > 0
            for mine, theirs in zip(asked[question][name], copied[question][name], strict=True):
                assert mine.tolist() == theirs.tolist(), (question, name)
    assert metrics_all(scores_all(asked, cases, judge), cases, judge) == metrics_all(
        scores_all(copied, cases, judge), cases, judge
    )
    # Copied where the context is one song, asked (and different) on longer histories.
    for question in ONE_SONG_QUESTIONS:
        assert copied[question]["multi_step"] is copied[question]["successors"]
    assert any(
        a.tolist() != b.tolist()
        for a, b in zip(asked["next"]["multi_step"], asked["next"]["successors"], strict=True)
    )
