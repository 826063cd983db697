"""The reasons' arithmetic, compiled with numba (ml/reasons.py words and uses it).

A radio asks for one reason per step, fifty times a station, and as numpy each reason was a
dozen array operations on a few numbers, whose fixed cost was most of it. The arithmetic is
numpy's, operation for operation: contributions in float32 as LinearScorer.contributions
computes them, sums per kind in float64 in feature order, shares rounded as np.round(x, 3)
rounds (x * 1000, to the nearest even, / 1000), and ties to the first kind or context song,
as np.argmax and a stable argsort break them. tests/recommender/test_reason_kernel_matches_numpy.py
holds the numpy version and checks both agree.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def kind_shares(
    rows: np.ndarray,
    mean: np.ndarray,
    scale: np.ndarray,
    weights: np.ndarray,
    kind_of_feature: np.ndarray,
    kinds: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row of candidate features (n, f) scored by the linear scorer (mean, scale,
    weights), with feature j counted in kind `kind_of_feature[j]` of `kinds`:

    - the kind whose contributions sum highest (the first on ties);
    - the kinds by their positive sum, largest first (ties in kind order);
    - each kind's share of the positive sums, rounded to 3 decimals (0 where nothing adds);
    - how many kinds add anything: the first that many of the order.
    """
    n, features = rows.shape
    strongest = np.zeros(n, dtype=np.int64)
    order = np.zeros((n, kinds), dtype=np.int64)
    fractions = np.zeros((n, kinds))
    lifted = np.zeros(n, dtype=np.int64)
    grouped = np.zeros(kinds)
    positive = np.zeros(kinds)
    for i in range(n):
        grouped[:] = 0.0
        for j in range(features):
            contribution = ((rows[i, j] - mean[j]) / scale[j]) * weights[j]
            grouped[kind_of_feature[j]] += np.float64(contribution)
        best = 0
        total = 0.0
        for k in range(kinds):
            if grouped[k] > grouped[best]:
                best = k
            positive[k] = grouped[k] if grouped[k] > 0.0 else 0.0
            total += positive[k]
            if positive[k] > 0.0:
                lifted[i] += 1
        strongest[i] = best
        order[i] = np.argsort(-positive, kind="mergesort")
        if total > 0.0:
            for k in range(kinds):
                fractions[i, k] = np.rint(positive[k] / total * 1000.0) / 1000.0
    return strongest, order, fractions, lifted


@njit(cache=True, nogil=True)
def strongest_rows(strength: np.ndarray) -> np.ndarray:
    """Per column of (context songs, n) strengths: the row of the largest (the first on ties),
    or -1 when no row is positive."""
    rows, n = strength.shape
    out = np.full(n, -1, dtype=np.int64)
    for c in range(n):
        best = 0
        for r in range(1, rows):
            if strength[r, c] > strength[best, c]:
                best = r
        if rows and strength[best, c] > 0.0:
            out[c] = best
    return out
