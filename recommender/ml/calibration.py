"""Turning the popularity prior down, and the seed's genre up, where the fit leans on hits.

Logistic regression fitted to "which song came next" learns that popular songs come next more
often (they do), so the similar lists of different seeds drift towards the same hits. On the
validation cases, for the similar question, two weights of the fitted scorer are moved over a
grid: the popularity weight down by `shift`, the weight of "shares a specific tag with the
seed" up by `tag_boost` (both in standardised units). The pair kept has the best HR@10 among
those whose recommended songs are at most POPULARITY_RATIO_GOAL times as played as the right
answers and whose tag agreement is no lower than the unmoved scorer's (less popular songs
carry fewer Last.fm tags; a listener still expects the seed's genre). Every pair tried is
recorded with the scorer (fitted_on["calibration"]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from recommender.ml.features import FEATURE_INDEX
from recommender.ml.scorer import FitCase, LinearScorer

# Below the limit of 2 with room for the hold-out differing from validation.
POPULARITY_RATIO_GOAL = 1.8
SHIFTS: tuple[float, ...] = tuple(round(0.05 * step, 2) for step in range(0, 25))
TAG_BOOSTS: tuple[float, ...] = tuple(round(0.2 * step, 1) for step in range(0, 6))
K = 10


@dataclass(frozen=True)
class Outcome:
    shift: float
    tag_boost: float
    hit_rate_at_10: float
    popularity_ratio: float
    tag_agreement: float
    reach: float


@dataclass(frozen=True)
class _Padded:
    """The cases as (cases x most candidates) matrices; padding scores -inf."""

    base: np.ndarray
    popularity: np.ndarray  # standardised
    tag: np.ndarray  # standardised same_tag_last
    shares_tag: np.ndarray  # bool: the raw feature
    plays: np.ndarray
    labels: np.ndarray
    song_ids: np.ndarray
    seed_has_tags: np.ndarray  # (cases,)


def _padded(scorer: LinearScorer, cases: Sequence[FitCase], seed_tagged: np.ndarray) -> _Padded:
    keep = [bool(len(c.labels)) and c.song_ids is not None for c in cases]
    usable = [c for c, kept in zip(cases, keep, strict=True) if kept]
    width = max((len(c.labels) for c in usable), default=1)
    shape = (len(usable), width)
    base = np.full(shape, -np.inf)
    popularity, tag, plays = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    shares_tag, labels = np.zeros(shape, bool), np.zeros(shape, bool)
    song_ids = np.full(shape, -1, dtype=np.int64)
    pop_col, tag_col = FEATURE_INDEX["popularity"], FEATURE_INDEX["same_tag_last"]
    for row, case in enumerate(usable):
        n = len(case.labels)
        base[row, :n] = scorer.scores(case.features)
        popularity[row, :n] = (case.features[:, pop_col] - scorer.mean[pop_col]) / scorer.scale[
            pop_col
        ]
        tag[row, :n] = (case.features[:, tag_col] - scorer.mean[tag_col]) / scorer.scale[tag_col]
        shares_tag[row, :n] = case.features[:, tag_col] > 0
        plays[row, :n] = np.expm1(case.features[:, pop_col])
        labels[row, :n] = case.labels
        song_ids[row, :n] = case.song_ids  # type: ignore[assignment]
    return _Padded(
        base=base,
        popularity=popularity,
        tag=tag,
        shares_tag=shares_tag,
        plays=plays,
        labels=labels,
        song_ids=song_ids,
        seed_has_tags=np.asarray(seed_tagged, dtype=bool)[np.asarray(keep, dtype=bool)],
    )


def calibration_outcomes(
    *,
    scorer: LinearScorer,
    cases: Sequence[FitCase],
    answer_plays: np.ndarray,
    seed_tagged: np.ndarray,
    catalogue_size: int,
    shifts: Sequence[float] = SHIFTS,
    tag_boosts: Sequence[float] = TAG_BOOSTS,
) -> list[Outcome]:
    """HR@10, popularity ratio, tag agreement and reach of the top 10 for every pair."""
    data = _padded(scorer, cases, seed_tagged)
    answer_mean = float(np.mean(answer_plays)) if len(answer_plays) else 0.0
    rows = np.arange(len(data.base))[:, None]
    k = min(K, data.base.shape[1])
    outcomes = []
    for shift in shifts:
        for boost in tag_boosts:
            scores = data.base - shift * data.popularity + boost * data.tag
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k else rows[:, :0]
            real = np.isfinite(scores[rows, top])
            hits = np.any(data.labels[rows, top] & real, axis=1)
            plays = data.plays[rows, top][real]
            agreement = (data.shares_tag[rows, top] & real).sum(axis=1) / np.maximum(
                real.sum(axis=1), 1
            )
            with_tags = data.seed_has_tags
            reached = np.unique(data.song_ids[rows, top][real])
            outcomes.append(
                Outcome(
                    shift=float(shift),
                    tag_boost=float(boost),
                    hit_rate_at_10=float(np.mean(hits)) if hits.size else 0.0,
                    popularity_ratio=(
                        float(plays.mean()) / answer_mean if answer_mean and len(plays) else 0.0
                    ),
                    tag_agreement=float(agreement[with_tags].mean()) if with_tags.any() else 0.0,
                    reach=len(reached) / max(catalogue_size, 1),
                )
            )
    return outcomes


def calibration_apply(
    *,
    scorer: LinearScorer,
    cases: Sequence[FitCase],
    answer_plays: np.ndarray,
    seed_tagged: np.ndarray,
    catalogue_size: int,
    goal: float = POPULARITY_RATIO_GOAL,
) -> LinearScorer:
    """The scorer with the chosen shift and tag boost applied to its weights.

    `answer_plays` and `seed_tagged` (the seed has a specific tag) are per case.
    """
    outcomes = calibration_outcomes(
        scorer=scorer,
        cases=cases,
        answer_plays=answer_plays,
        seed_tagged=seed_tagged,
        catalogue_size=catalogue_size,
    )
    if not outcomes:
        return scorer
    unmoved = outcomes[0]
    meeting = [o for o in outcomes if o.popularity_ratio <= goal]
    keeping_genre = [o for o in meeting if o.tag_agreement >= unmoved.tag_agreement]
    pool = keeping_genre or meeting
    if pool:
        chosen = max(pool, key=lambda o: (o.hit_rate_at_10, -o.shift, -o.tag_boost))
    else:  # nothing tried meets the goal: the closest to it
        chosen = min(outcomes, key=lambda o: (o.popularity_ratio, o.shift))
    weights = scorer.weights.copy()
    weights[FEATURE_INDEX["popularity"]] -= chosen.shift
    weights[FEATURE_INDEX["same_tag_last"]] += chosen.tag_boost
    return replace(
        scorer,
        weights=weights.astype(np.float32),
        fitted_on={
            **(scorer.fitted_on or {}),
            "popularity_shift": chosen.shift,
            "tag_boost": chosen.tag_boost,
            "popularity_ratio_goal": goal,
            "calibration": [o.__dict__ for o in outcomes],
        },
    )
