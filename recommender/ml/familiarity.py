"""Familiar ↔ discover: how far a listener's answer leans to well-known or long-tail songs.

`familiarity` runs from 0.0 (long-tail discoveries) to 1.0 (well-known songs). The ranking adds
`weight * log(percentile)` to each candidate's log-odds, with `percentile` the song's
popularity rank among played songs scaled into (0, 1] and
`weight = FAMILIARITY_STRENGTH * (familiarity - 0.5)`. At 0.5 the weight is 0: the fitted
model's own order, which already holds the popularity prior it was fitted with; familiarity
only tilts away from it. Every list (similar, continuation, next, radio) uses this one rule.
"""

from __future__ import annotations

import numpy as np

DEFAULT_FAMILIARITY = 0.5
# The exponent's range: familiarity 0 or 1 gives p^-2 or p^2 on the odds, strong enough to
# change a list's mean plays, not so strong that the model's score stops mattering.
FAMILIARITY_STRENGTH = 4.0


def popularity_percentiles(plays: np.ndarray) -> np.ndarray:
    """Per song, its rank among played songs scaled into (0, 1]; unplayed songs get the least.

    Ranks rather than raw counts, so that a few huge hits do not flatten everything else.
    """
    n = len(plays)
    order = np.argsort(plays, kind="stable")
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.arange(1, n + 1, dtype=np.float64)
    played = int(np.count_nonzero(plays > 0))
    # Played songs take ranks (n - played, n]: they map onto [1/played, 1], below which
    # unplayed songs sit at 1/(played + 1).
    percentiles = (ranks - (n - played)) / max(played, 1)
    percentiles[plays <= 0] = 1.0 / (played + 1)
    return np.clip(percentiles, 1.0 / (played + 1), 1.0)


def familiarity_weight(familiarity: float) -> float:
    """The weight of log(percentile) in a candidate's score; raises outside [0, 1]."""
    if not 0.0 <= familiarity <= 1.0:
        raise ValueError("familiarity must lie in [0, 1]")
    return FAMILIARITY_STRENGTH * (familiarity - DEFAULT_FAMILIARITY)
