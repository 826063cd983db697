"""The compiled reasons' arithmetic (ml/reason_kernel.py) gives exactly what numpy's array
operations give: the same strongest kind, order, rounded shares and strongest context song."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.features import FEATURES
from recommender.ml.reason_kernel import kind_shares, strongest_rows
from recommender.ml.reasons import KIND_COLUMN, SCORED_KINDS
from recommender.ml.scorer import LinearScorer

KINDS = len(SCORED_KINDS)


def numpy_kind_shares(rows: np.ndarray, scorer: LinearScorer) -> list[tuple[int, list, list]]:
    """(strongest kind, kinds that add anything in order, their rounded shares) per row, as
    the reasons computed them with numpy before they were compiled."""
    membership = np.zeros((len(FEATURES), KINDS))
    membership[np.arange(len(FEATURES)), KIND_COLUMN] = 1.0
    grouped = scorer.contributions(rows).astype(np.float64) @ membership
    kinds = np.argmax(grouped, axis=1).tolist()
    positive = np.maximum(grouped, 0.0)
    totals = positive.sum(axis=1)
    orders = np.argsort(-positive, axis=1, kind="stable").tolist()
    fractions = np.round(positive / np.where(totals > 0, totals, 1.0)[:, None], 3).tolist()
    lifted = (positive > 0).tolist()
    out = []
    for row in range(len(rows)):
        added = [j for j in orders[row] if lifted[row][j]]
        out.append((kinds[row], added, [fractions[row][j] for j in added]))
    return out


def compiled_kind_shares(rows: np.ndarray, scorer: LinearScorer) -> list[tuple[int, list, list]]:
    strongest, order, fractions, lifted = kind_shares(
        rows, scorer.mean, scorer.scale, scorer.weights, KIND_COLUMN, KINDS
    )
    out = []
    for row in range(len(rows)):
        added = order[row][: lifted[row]].tolist()
        out.append((int(strongest[row]), added, [float(fractions[row][j]) for j in added]))
    return out


def random_scorer(rng: np.random.Generator) -> LinearScorer:
    f = len(FEATURES)
    return LinearScorer(
        features=FEATURES,
        mean=rng.normal(size=f).astype(np.float32),
        scale=rng.uniform(0.1, 3.0, size=f).astype(np.float32),
        weights=rng.normal(size=f).astype(np.float32),
    )


@pytest.mark.parametrize("seed", range(5))
def test_kinds_order_and_shares_match_numpy_on_random_rows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scorer = random_scorer(rng)
    rows = rng.normal(size=(500, len(FEATURES))).astype(np.float32)
    rows[::7] = scorer.mean  # every contribution 0: no kind adds anything
    rows[1::11, ::2] = 0.0  # some exact zeros among real values
    assert compiled_kind_shares(rows, scorer) == numpy_kind_shares(rows, scorer)


def test_ties_go_to_the_first_kind_as_numpy_breaks_them() -> None:
    scorer = LinearScorer(
        features=FEATURES,
        mean=np.zeros(len(FEATURES), dtype=np.float32),
        scale=np.ones(len(FEATURES), dtype=np.float32),
        weights=np.ones(len(FEATURES), dtype=np.float32),
    )
    rows = np.zeros((3, len(FEATURES)), dtype=np.float32)
    # Two kinds with the same single contribution, in reverse order of their columns.
    last_of_kind = {int(k): j for j, k in enumerate(KIND_COLUMN)}
    first, second = last_of_kind[KINDS - 1], last_of_kind[0]
    rows[0, [first, second]] = 0.5
    rows[1] = -1.0  # nothing positive
    rows[2, first] = 2.0
    compiled = compiled_kind_shares(rows, scorer)
    assert compiled == numpy_kind_shares(rows, scorer)
    assert compiled[0] == (0, [0, KINDS - 1], [0.5, 0.5])
    assert compiled[1][1:] == ([], [])


def test_the_comparison_sees_a_changed_share() -> None:
    rng = np.random.default_rng(9)
    scorer = random_scorer(rng)
    rows = rng.normal(size=(50, len(FEATURES))).astype(np.float32)
    heavier = LinearScorer(
        features=FEATURES,
        mean=scorer.mean,
        scale=scorer.scale,
        weights=(scorer.weights * np.float32(1.01)).astype(np.float32),
    )
    assert compiled_kind_shares(rows, heavier) == numpy_kind_shares(rows, heavier)
    # Shares are ratios, so a common factor keeps them; one feature's weight does not.
    heavier.weights[3] *= np.float32(1.5)
    assert compiled_kind_shares(rows, heavier) != numpy_kind_shares(rows, scorer)


def test_strongest_rows_is_numpys_first_largest_or_none() -> None:
    rng = np.random.default_rng(4)
    strength = rng.integers(0, 3, size=(5, 400)).astype(np.float64)  # many ties and zeros
    strength[:, ::9] = 0.0
    best = np.argmax(strength, axis=0)
    found = strength[best, np.arange(strength.shape[1])] > 0
    assert strongest_rows(strength).tolist() == np.where(found, best, -1).tolist()
