"""The second stage: a linear scorer over candidate features, one weight vector per question.

Logistic regression (scikit-learn, imported only when fitting) on standardised features:
a candidate's score is the log-odds that it is the song the listener wanted. Linear on
purpose: each signal's contribution is weight x standardised value, so a recommendation can
say which signal put it there, and scoring 300 candidates is one small matrix product.
docs/model_quality.md compares it with the alternatives that were tried.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recommender.ml.features import FEATURES, Question

SCORER_FILE = "scorer.json"
SCORER_FORMAT = 1
# Inverse regularisation strength: strong enough that no weight runs away on rare features.
REGULARISATION_C = 1.0
# Negatives kept per case when fitting (a random sample beyond that). Cases hold a few
# hundred candidates, so in practice every negative is kept: sampling them lost accuracy.
NEGATIVES_PER_CASE = 1000


@dataclass(frozen=True)
class LinearScorer:
    """score = ((features - mean) / scale) . weights + bias, over the named features."""

    features: tuple[str, ...]
    mean: np.ndarray  # float32 (f,)
    scale: np.ndarray  # float32 (f,)
    weights: np.ndarray  # float32 (f,)
    bias: float = 0.0
    fitted_on: dict[str, Any] | None = None

    def scores(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights + self.bias

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Each feature's share of each score, (n, f): weight x standardised value."""
        return ((features - self.mean) / self.scale) * self.weights

    def restricted(self, keep: Iterable[str]) -> LinearScorer:
        """The same scorer with every feature outside `keep` switched off (weight 0)."""
        wanted = set(keep)
        mask = np.array([name in wanted for name in self.features], dtype=np.float32)
        return LinearScorer(
            features=self.features,
            mean=self.mean,
            scale=self.scale,
            weights=(self.weights * mask).astype(np.float32),
            bias=self.bias,
            fitted_on=self.fitted_on,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [float(v) for v in self.mean],
            "scale": [float(v) for v in self.scale],
            "weights": [float(v) for v in self.weights],
            "bias": float(self.bias),
            "fitted_on": self.fitted_on or {},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearScorer:
        names = tuple(str(name) for name in data["features"])
        if names != FEATURES:
            raise ValueError(
                "the scorer was fitted on other features than this code computes "
                f"({len(names)} against {len(FEATURES)})"
            )
        arrays = [np.asarray(data[key], dtype=np.float32) for key in ("mean", "scale", "weights")]
        if any(a.shape != (len(FEATURES),) for a in arrays) or not all(
            np.isfinite(a).all() for a in arrays
        ):
            raise ValueError("the scorer's weights are not one finite number per feature")
        if bool(np.any(arrays[1] <= 0)):
            raise ValueError("the scorer's feature scales must be positive")
        return cls(
            features=names,
            mean=arrays[0],
            scale=arrays[1],
            weights=arrays[2],
            bias=float(data.get("bias", 0.0)),
            fitted_on=dict(data.get("fitted_on") or {}),
        )


@dataclass(frozen=True)
class Scorers:
    """The fitted weights of every question, and the feature subsets of the ablation."""

    by_question: dict[Question, LinearScorer]

    def __getitem__(self, question: Question) -> LinearScorer:
        return self.by_question[question]

    def save(self, folder: Path) -> Path:
        path = Path(folder) / SCORER_FILE
        data = {
            "format": SCORER_FORMAT,
            "questions": {q.value: s.as_dict() for q, s in self.by_question.items()},
        }
        path.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> Scorers:
        data = json.loads((Path(folder) / SCORER_FILE).read_text(encoding="utf-8"))
        if data.get("format") != SCORER_FORMAT:
            raise ValueError(f"scorer format {data.get('format')!r} is not supported")
        by_question = {
            Question(name): LinearScorer.from_dict(entry)
            for name, entry in data["questions"].items()
        }
        missing = [q.value for q in Question if q not in by_question]
        if missing:
            raise ValueError(f"the scorer has no weights for {', '.join(missing)}")
        return cls(by_question=by_question)


def scorer_default() -> LinearScorer:
    """Weights before any fit: popularity-free sum of the statistics' shares (a sane prior)."""
    weights = np.zeros(len(FEATURES), dtype=np.float32)
    for name in ("successor_share", "second_order_share", "cooccurrence_share", "sounds_like"):
        weights[FEATURES.index(name)] = 1.0
    return LinearScorer(
        features=FEATURES,
        mean=np.zeros(len(FEATURES), dtype=np.float32),
        scale=np.ones(len(FEATURES), dtype=np.float32),
        weights=weights,
    )


@dataclass(frozen=True)
class FitCase:
    """One validation case: its candidates' features and which of them were right."""

    features: np.ndarray  # float32 (n, f)
    labels: np.ndarray  # bool (n,)
    song_ids: np.ndarray | None = None  # int64 (n,): for the calibration's reach


def scorer_fit(
    *,
    cases: Sequence[FitCase],
    keep: Iterable[str] = FEATURES,
    seed: int = 0,
    description: dict[str, Any] | None = None,
) -> LinearScorer:
    """Fit logistic regression on the cases' candidates; features outside `keep` get weight 0.

    Cases without a right candidate say nothing about ranking and are skipped. Per case all
    positives and at most NEGATIVES_PER_CASE random negatives are used.
    """
    from sklearn.linear_model import LogisticRegression  # training only

    rng = np.random.default_rng(seed)
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    used = 0
    for case in cases:
        positives = np.flatnonzero(case.labels)
        if not len(positives) or len(positives) == len(case.labels):
            continue
        negatives = np.flatnonzero(~case.labels)
        if len(negatives) > NEGATIVES_PER_CASE:
            negatives = rng.choice(negatives, NEGATIVES_PER_CASE, replace=False)
        chosen = np.concatenate([positives, negatives])
        rows.append(case.features[chosen])
        labels.append(case.labels[chosen])
        used += 1
    wanted = set(keep)
    mask = np.array([name in wanted for name in FEATURES])
    if not rows:
        return scorer_default().restricted(wanted)
    matrix = np.concatenate(rows).astype(np.float64)
    target = np.concatenate(labels).astype(int)
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    standard = (matrix - mean) / scale
    weights = np.zeros(len(FEATURES), dtype=np.float64)
    bias = 0.0
    if target.min() != target.max():
        model = LogisticRegression(C=REGULARISATION_C, max_iter=500)
        model.fit(standard[:, mask], target)
        weights[mask] = model.coef_[0]
        bias = float(model.intercept_[0])
    return LinearScorer(
        features=FEATURES,
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        weights=weights.astype(np.float32),
        bias=bias,
        fitted_on={**(description or {}), "cases": used, "rows": len(target)},
    )
