"""The answers the API should give, computed straight from a version's folder by ml.Recommender."""

from __future__ import annotations

from collections.abc import Set
from pathlib import Path

from recommender.ml.recommender import Recommender


def exact_neighbours(
    folder: str | Path, seeds: list[int], *, k: int, exclude: Set[int] = frozenset()
) -> list[tuple[int, float]]:
    """What the version's Recommender ranks for these seeds, loaded fresh from its files."""
    ranked = Recommender.load(Path(folder)).continuation(seeds, k, exclude=sorted(exclude))
    return list(zip(ranked.song_ids.tolist(), ranked.scores.tolist(), strict=True))
