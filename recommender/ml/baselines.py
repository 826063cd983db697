"""Counting baselines, scored on the same cases as the model and answering the same questions.

Each reads the version's PlaylistStatistics, so the numbers on the model page compare the
model with what those very tables would give on their own:

- popularity: the most played songs;
- successors: what most often came right after the newest song;
- multi-step successors: sum over gaps 1..5 of times(song g back -> candidate at gap g) / g;
- second-order with back-off: what followed (previous, newest) song; then successors;
- co-occurrence: sum over the context of playlists shared with the candidate.

Every list is filled up with the most played songs when its table runs dry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from recommender.ml.ranked import Ranked
from recommender.ml.statistics import PlaylistStatistics, SparseRows

SOURCE_BASELINE = "baseline"


class CountingBaseline:
    """A baseline: one scoring rule over the statistics for every question."""

    name = "popularity"

    def __init__(self, *, statistics: PlaylistStatistics, popular: np.ndarray) -> None:
        self.statistics = statistics
        self.popular = popular

    def scores(self, context: list[int]) -> dict[int, float]:
        """Candidate -> score for a context (oldest first); empty for plain popularity."""
        return {}

    def next(self, history: Sequence[int], k: int, *, exclude: Iterable[int] = ()) -> Ranked:
        return self._rank([int(s) for s in history], k, exclude)

    def continuation(
        self, seed_ids: Sequence[int], k: int, *, exclude: Iterable[int] = ()
    ) -> Ranked:
        return self._rank([int(s) for s in seed_ids], k, exclude)

    def similar(self, song_id: int, k: int, *, exclude: Iterable[int] = ()) -> Ranked:
        return self._rank([int(song_id)], k, exclude)

    def _rank(self, context: list[int], k: int, exclude: Iterable[int]) -> Ranked:
        banned = set(context)
        banned.update(int(s) for s in exclude)
        scores = self.scores(context)
        songs = np.fromiter(scores.keys(), dtype=np.int64, count=len(scores))
        values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
        # Highest score first, ties by lower id (lexsort's last key is the first criterion).
        ranked = songs[np.lexsort((songs, -values))]
        if banned:
            ranked = ranked[~np.isin(ranked, np.fromiter(banned, dtype=np.int64))]
        ids = ranked[:k].tolist()
        if len(ids) < k:
            taken = banned.union(ids)
            for song in self.popular[: k + len(taken)].tolist():
                if song not in taken:
                    ids.append(song)
                    if len(ids) == k:
                        break
        return Ranked(
            song_ids=np.asarray(ids, dtype=np.int64),
            scores=np.zeros(len(ids), dtype=np.float32),
            source=SOURCE_BASELINE,
        )


def _add(scores: dict[int, float], table: SparseRows, row: int, weight: float = 1.0) -> None:
    targets, counts = table.row(row)
    for target, count in zip(targets.tolist(), counts.tolist(), strict=True):
        scores[target] = scores.get(target, 0.0) + count * weight


class SuccessorBaseline(CountingBaseline):
    name = "successors"

    def scores(self, context: list[int]) -> dict[int, float]:
        scores: dict[int, float] = {}
        _add(scores, self.statistics.successors[0], context[-1])
        return scores


class MultiStepBaseline(CountingBaseline):
    name = "multi_step"

    def scores(self, context: list[int]) -> dict[int, float]:
        scores: dict[int, float] = {}
        statistics = self.statistics
        for gap in range(1, min(statistics.max_gap, len(context)) + 1):
            _add(scores, statistics.successors[gap - 1], context[-gap], 1.0 / gap)
        return scores


class SecondOrderBaseline(CountingBaseline):
    name = "second_order"

    def scores(self, context: list[int]) -> dict[int, float]:
        scores: dict[int, float] = {}
        statistics = self.statistics
        if len(context) >= 2:
            _add(scores, statistics.second_order, statistics.pair_row(context[-2], context[-1]))
        # Back-off: successors of the newest song rank after every second-order candidate.
        offset = max(scores.values(), default=0.0) + 1.0
        fallback: dict[int, float] = {}
        _add(fallback, statistics.successors[0], context[-1])
        top = max(fallback.values(), default=1.0) + 1.0
        for song, count in fallback.items():
            if song not in scores:
                scores[song] = count / top - offset
        return scores


class CooccurrenceBaseline(CountingBaseline):
    name = "cooccurrence"

    def scores(self, context: list[int]) -> dict[int, float]:
        scores: dict[int, float] = {}
        for song in dict.fromkeys(context):
            _add(scores, self.statistics.cooccurrence, song)
        return scores


# With one song of context (next after one song, similar) these give the successor baseline's
# lists exactly: multi-step has only gap 1 (weight 1), second-order has no pair and backs off to
# the successor counts, shifted and scaled (the same order, ties by lower id alike). The
# evaluation asks the successor baseline once and copies its lists.
ONE_SONG_SAME_AS: dict[str, str] = {"multi_step": "successors", "second_order": "successors"}

BASELINES: tuple[type[CountingBaseline], ...] = (
    CountingBaseline,
    SuccessorBaseline,
    MultiStepBaseline,
    SecondOrderBaseline,
    CooccurrenceBaseline,
)


def baselines_build(
    *, statistics: PlaylistStatistics, popular: np.ndarray
) -> dict[str, CountingBaseline]:
    return {cls.name: cls(statistics=statistics, popular=popular) for cls in BASELINES}
