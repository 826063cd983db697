"""A ranked answer, what every ranking path returns (ml.Recommender, its stored similar lists,
the baselines), and the labels of where its songs came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from recommender.ml.reasons import Reason

SOURCE_MODEL = "model"
SOURCE_POPULAR = "fallback-popular"


class Explains(Protocol):
    """Works out the reasons of a ranked list's songs, only for the positions asked about."""

    def reasons(self, positions: Sequence[int]) -> tuple[Reason, ...]: ...


@dataclass(frozen=True)
class Ranked:
    """A ranked answer: song ids best first, their scores, and how they were chosen."""

    song_ids: np.ndarray  # int64 (n,)
    scores: np.ndarray  # float32 (n,): probability-like, in (0, 1)
    source: str
    # Why each result is there (ml/reasons.py), worked out only for the songs asked about.
    explanation: Explains | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.song_ids)

    def reasons(self, positions: Sequence[int] | None = None) -> tuple[Reason, ...]:
        """The reason of each result (of `positions` only, when given); () for baselines."""
        if self.explanation is None:
            return ()
        return self.explanation.reasons(range(len(self)) if positions is None else positions)
