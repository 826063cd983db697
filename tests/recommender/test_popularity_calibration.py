"""The similar question's popularity prior is turned down until the goal is met, no further."""

from __future__ import annotations

import numpy as np

from recommender.ml.calibration import calibration_apply, calibration_outcomes
from recommender.ml.features import FEATURE_INDEX, FEATURES
from recommender.ml.scorer import FitCase, LinearScorer

POPULARITY = FEATURE_INDEX["popularity"]
SIGNAL = FEATURE_INDEX["successor_share"]
TAGGED = np.zeros(30, dtype=bool)  # no seed has a tag: tag agreement plays no part here


def _scorer() -> LinearScorer:
    weights = np.zeros(len(FEATURES), dtype=np.float32)
    weights[POPULARITY] = 1.0  # leans on popularity...
    weights[SIGNAL] = 0.5  # ...more than on the signal that finds the right song
    return LinearScorer(
        features=FEATURES,
        mean=np.zeros(len(FEATURES), np.float32),
        scale=np.ones(len(FEATURES), np.float32),
        weights=weights,
    )


def _cases(count: int = 30) -> tuple[list[FitCase], np.ndarray]:
    """Each case: 10 hits played 1000 times, one right song played 50 times with the signal."""
    cases = []
    for n in range(count):
        ids = np.arange(11, dtype=np.int64) + 100 * n
        features = np.zeros((11, len(FEATURES)), dtype=np.float32)
        features[:10, POPULARITY] = np.log1p(1000.0)
        features[10, POPULARITY] = np.log1p(50.0)
        features[10, SIGNAL] = 4.0
        cases.append(FitCase(features, ids == ids[10], ids))
    return cases, np.full(count, 50.0)


def test_the_smallest_shift_that_meets_the_goal_and_keeps_the_hits_is_chosen() -> None:
    cases, answers = _cases()
    outcomes = calibration_outcomes(
        scorer=_scorer(), cases=cases, answer_plays=answers, seed_tagged=TAGGED, catalogue_size=3000
    )
    unshifted = outcomes[0]
    # Unshifted the right song (score 0.5*4 + log 51 = 5.9) beats no hit (log 1001 = 6.9)...
    assert unshifted.shift == 0 and unshifted.hit_rate_at_10 == 0.0
    assert abs(unshifted.popularity_ratio - 20.0) < 1e-4
    calibrated = calibration_apply(
        scorer=_scorer(),
        cases=cases,
        answer_plays=answers,
        seed_tagged=TAGGED,
        catalogue_size=3000,
        goal=18.5,
    )
    fitted_on = calibrated.fitted_on
    assert fitted_on is not None
    shift = fitted_on["popularity_shift"]
    # ...and a shift above 0.33 lifts it into the top 10: ratio (9*1000+50)/10/50 = 18.1.
    assert shift == 0.35
    assert calibrated.weights[POPULARITY] == np.float32(1.0 - shift)
    assert calibrated.weights[SIGNAL] == np.float32(0.5)
    chosen = next(
        o for o in fitted_on["calibration"] if o["shift"] == shift and o["tag_boost"] == 0
    )
    assert chosen["hit_rate_at_10"] == 1.0 and chosen["popularity_ratio"] <= 18.5


def test_no_shift_when_the_scorer_does_not_lean_on_popularity() -> None:
    cases, answers = _cases()
    balanced = _scorer()
    balanced.weights[POPULARITY] = 0.0
    calibrated = calibration_apply(
        scorer=balanced,
        cases=cases,
        answer_plays=answers,
        seed_tagged=TAGGED,
        catalogue_size=3000,
        goal=18.5,
    )
    # Every shift finds the right song; the smallest (none) is kept.
    assert calibrated.fitted_on is not None
    assert calibrated.fitted_on["popularity_shift"] == 0.0
    assert calibrated.weights[POPULARITY] == 0.0
