"""Turning the popularity prior down where the fitted weights lean on it too hard.

Logistic regression fitted to "which song came next" learns that popular songs come next more
often (they do), so the lists of different seeds drift towards the same hits. For the
similar question the popularity weight is lowered step by step on the validation cases until
the songs it recommends are at most POPULARITY_RATIO_GOAL times as played as the right
answers; of the shifts that meet the goal, the one with the best HR@10 is kept. Every shift
tried is recorded with the scorer (fitted_on["popularity_shifts"]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from recommender.ml.features import FEATURE_INDEX
from recommender.ml.scorer import FitCase, LinearScorer

# Below the limit of 2 with room for the hold-out differing from validation.
POPULARITY_RATIO_GOAL = 1.8
# Shifts of the standardised popularity weight that are tried, smallest first.
SHIFTS: tuple[float, ...] = tuple(round(0.25 * step, 2) for step in range(0, 17))
K = 10


@dataclass(frozen=True)
class ShiftOutcome:
    shift: float
    hit_rate_at_10: float
    popularity_ratio: float
    reach: float


def shift_outcomes(
    *,
    scorer: LinearScorer,
    cases: Sequence[FitCase],
    answer_plays: np.ndarray,
    catalogue_size: int,
    shifts: Sequence[float] = SHIFTS,
) -> list[ShiftOutcome]:
    """HR@10, popularity ratio and reach of the top 10 on `cases` for each shift."""
    column = FEATURE_INDEX["popularity"]
    answer_mean = float(np.mean(answer_plays)) if len(answer_plays) else 0.0
    usable = [c for c in cases if len(c.labels) and c.song_ids is not None]
    base = [scorer.scores(c.features) for c in usable]
    standard_popularity = [
        (c.features[:, column] - scorer.mean[column]) / scorer.scale[column] for c in usable
    ]
    plays = [np.expm1(c.features[:, column]) for c in usable]
    outcomes = []
    for shift in shifts:
        hits = 0
        recommended_plays = 0.0
        recommended = 0
        reached: list[np.ndarray] = []
        for case, logits, popularity, case_plays in zip(
            usable, base, standard_popularity, plays, strict=True
        ):
            scores = logits - shift * popularity
            top = np.argsort(-scores, kind="stable")[:K]
            hits += bool(case.labels[top].any())
            recommended_plays += float(case_plays[top].sum())
            recommended += len(top)
            reached.append(case.song_ids[top])  # type: ignore[index]
        count = max(len(usable), 1)
        mean_plays = recommended_plays / recommended if recommended else 0.0
        distinct = len(np.unique(np.concatenate(reached))) if reached else 0
        outcomes.append(
            ShiftOutcome(
                shift=float(shift),
                hit_rate_at_10=hits / count,
                popularity_ratio=mean_plays / answer_mean if answer_mean else 0.0,
                reach=distinct / max(catalogue_size, 1),
            )
        )
    return outcomes


def popularity_shift_apply(
    *,
    scorer: LinearScorer,
    cases: Sequence[FitCase],
    answer_plays: np.ndarray,
    catalogue_size: int,
    goal: float = POPULARITY_RATIO_GOAL,
) -> LinearScorer:
    """The scorer with the chosen shift subtracted from its popularity weight."""
    outcomes = shift_outcomes(
        scorer=scorer, cases=cases, answer_plays=answer_plays, catalogue_size=catalogue_size
    )
    if not outcomes:
        return scorer
    meeting = [o for o in outcomes if o.popularity_ratio <= goal]
    if meeting:
        chosen = max(meeting, key=lambda o: (o.hit_rate_at_10, -o.shift))
    else:  # no shift tried meets the goal: the one closest to it
        chosen = min(outcomes, key=lambda o: o.popularity_ratio)
    weights = scorer.weights.copy()
    weights[FEATURE_INDEX["popularity"]] -= chosen.shift
    return replace(
        scorer,
        weights=weights.astype(np.float32),
        fitted_on={
            **(scorer.fitted_on or {}),
            "popularity_shift": chosen.shift,
            "popularity_ratio_goal": goal,
            "popularity_shifts": [o.__dict__ for o in outcomes],
        },
    )
