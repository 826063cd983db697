"""Familiar ↔ discover: how far a listener's answer leans to well-known or long-tail songs.

`familiarity` runs from 0.0 (long-tail discoveries) to 1.0 (well-known songs). The ranking adds
`weight * log(1 / popularity rank)` to each candidate's log-odds, with rank 1 the most played
song and `weight = FAMILIARITY_STRENGTH * (familiarity - 0.5)`. At 0.5 the weight is 0: the
fitted model's own order, which already holds the popularity prior it was fitted with;
familiarity only tilts away from it. Every list (similar, continuation, next, radio) uses this
one rule.

Why the rank itself and not a percentile: candidates come from the head of the catalogue, where
percentiles all sit near 1 and their logarithms near 0, so a percentile tilt hardly moved a list
(bench/results/familiarity_tilt.json has both, measured on training-playlist seeds).
"""

from __future__ import annotations

import numpy as np

DEFAULT_FAMILIARITY = 0.5
# At 0 or 1 the odds are multiplied by rank^(±1/2): the 100th most played song then stands
# 10x against the 10,000th, a list changes visibly while the model's score still decides
# most of it (the bench above shows how much of the list stays).
FAMILIARITY_STRENGTH = 1.0


def reciprocal_popularity_ranks(plays: np.ndarray) -> np.ndarray:
    """Per song, 1 / its rank by plays (1 for the most played; ties share the better rank).

    Unplayed songs get 1 / (played songs + 1), below every played song.
    """
    plays = np.asarray(plays, dtype=np.float64)
    played = int(np.count_nonzero(plays > 0))
    descending = np.sort(plays)[::-1]
    # Rank = 1 + how many songs have strictly more plays.
    ranks = np.searchsorted(-descending, -plays, side="left") + 1.0
    reciprocal = 1.0 / ranks
    reciprocal[plays <= 0] = 1.0 / (played + 1)
    return reciprocal


def familiarity_weight(familiarity: float) -> float:
    """The weight of log(1 / popularity rank) in a candidate's score; raises outside [0, 1]."""
    if not 0.0 <= familiarity <= 1.0:
        raise ValueError("familiarity must lie in [0, 1]")
    return FAMILIARITY_STRENGTH * (familiarity - DEFAULT_FAMILIARITY)
