"""Every song's similar list, ranked by the worker once, so that serving one is a lookup.

A one-song list (the song page, `GET /api/songs/{id}/similar`) depends on nothing but the song
and k: the worker ranks every song's top STORED_K with Recommender.similar itself, the
served ranking, and stores ids, scores and each reason's parts. The Recommender answers a
plain similar question (no exclusions, no per-artist cap, the default familiarity, k at most
STORED_K) from this table; anything else is ranked as before. A top k is the first k of the
top STORED_K (the scores do not depend on k, and the order is a stable sort), so a stored list
is the ranked one to the last bit: tests/ml/test_similar_table_answers_as_ranking.py compares
them song by song, and tests/serving compares the API's bytes.

Songs the model knows nothing about get the popular fallback, which is cheap and not stored.
The reasons are stored as their parts (kind, the song and tag they name, the shares) and
worded when served, with the catalogue's titles of that moment, as a ranked list is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from recommender.ml.parallel import tasks_run
from recommender.ml.ranked import SOURCE_MODEL, Ranked
from recommender.ml.reasons import SCORED_KINDS, Reason, ReasonKind
from recommender.ml.shared_arrays import arrays_map, arrays_save

SIMILAR_TABLE_FILE = "similar_table.npz"
# The longest list stored: the API's default k, and the song page's list.
STORED_K = 10
# Reason kinds by their number in the table.
_KINDS: tuple[ReasonKind, ...] = tuple(ReasonKind)
_KIND_NUMBER = {kind: number for number, kind in enumerate(_KINDS)}
_SHARE_KINDS: tuple[ReasonKind, ...] = SCORED_KINDS
_SHARE_NUMBER = {kind: number for number, kind in enumerate(_SHARE_KINDS)}
_NONE = -1
# Tasks per process: several, so that the processes end at about the same time.
_TASKS_PER_PROCESS = 4


@dataclass(frozen=True)
class SimilarTable:
    """Per song (a row; `stored` says which rows hold a list), its top `k` as ranked.

    Unused places hold -1 (ids, because_of, tag, share_kinds) and 0 (scores, share_values).
    """

    familiarity: float  # the familiarity the lists were ranked with
    stored: np.ndarray  # bool (songs,)
    ids: np.ndarray  # int32 (songs, k)
    scores: np.ndarray  # float32 (songs, k)
    kinds: np.ndarray  # int8 (songs, k): the reason's kind, a position in ReasonKind
    because_of: np.ndarray  # int32 (songs, k)
    tags: np.ndarray  # int32 (songs, k)
    share_kinds: np.ndarray  # int8 (songs, k, len(SCORED_KINDS)), largest share first
    share_values: np.ndarray  # float64 (songs, k, len(SCORED_KINDS))

    @property
    def k(self) -> int:
        return int(self.ids.shape[1])

    @classmethod
    def compute(
        cls,
        similar: Callable[[int, int], Ranked],
        *,
        songs: np.ndarray,
        catalogue_size: int,
        familiarity: float,
        processes: int,
        k: int = STORED_K,
    ) -> SimilarTable:
        """Rank every song of `songs` with `similar(song, k)` (Recommender.similar at
        `familiarity`), in up to `processes` forked processes; the other rows stay unused."""
        songs = np.asarray(songs, dtype=np.int64)
        tasks = max(1, min(len(songs), processes * _TASKS_PER_PROCESS))
        chunks = np.array_split(songs, tasks)
        parts = tasks_run(
            [partial(_rows_rank, similar, chunk, k) for chunk in chunks],
            processes=processes,
        )
        table = _empty(catalogue_size, k, familiarity)
        for chunk, part in zip(chunks, parts, strict=True):
            table.stored[chunk] = True
            for name, values in part.items():
                getattr(table, name)[chunk] = values
        return table

    def ranked(self, song: int, k: int) -> Ranked | None:
        """The stored top `k` (k <= self.k) of `song`, or None when its list is not stored."""
        if not (0 <= song < len(self.stored) and self.stored[song]) or k > self.k:
            return None
        ids = self.ids[song, :k]
        length = int(np.count_nonzero(ids >= 0))
        return Ranked(
            song_ids=ids[:length].astype(np.int64),
            scores=self.scores[song, :length].copy(),
            source=SOURCE_MODEL,
            explanation=_StoredReasons(self, song),
        )

    def save(self, folder: Path) -> Path:
        return arrays_save(
            Path(folder) / SIMILAR_TABLE_FILE,
            {
                "familiarity": np.asarray([self.familiarity], dtype=np.float64),
                "stored": self.stored,
                "ids": self.ids,
                "scores": self.scores,
                "kinds": self.kinds,
                "because_of": self.because_of,
                "tags": self.tags,
                "share_kinds": self.share_kinds,
                "share_values": self.share_values,
            },
        )

    @classmethod
    def load(cls, folder: Path, *, catalogue_size: int) -> SimilarTable | None:
        """The table of a version folder (mapped: web workers share one copy), or None for a
        version written before tables were stored. ValueError when it does not fit."""
        path = Path(folder) / SIMILAR_TABLE_FILE
        if not path.exists():
            return None
        data = arrays_map(path)
        table = cls(
            familiarity=float(data["familiarity"][0]),
            stored=data["stored"].astype(bool, copy=False),
            ids=data["ids"].astype(np.int32, copy=False),
            scores=data["scores"].astype(np.float32, copy=False),
            kinds=data["kinds"].astype(np.int8, copy=False),
            because_of=data["because_of"].astype(np.int32, copy=False),
            tags=data["tags"].astype(np.int32, copy=False),
            share_kinds=data["share_kinds"].astype(np.int8, copy=False),
            share_values=data["share_values"].astype(np.float64, copy=False),
        )
        rows, k = table.ids.shape
        shares = (rows, k, len(_SHARE_KINDS))
        if (
            rows != catalogue_size
            or table.stored.shape != (rows,)
            or any(a.shape != (rows, k) for a in (table.scores, table.kinds, table.because_of))
            or table.tags.shape != (rows, k)
            or table.share_kinds.shape != shares
            or table.share_values.shape != shares
        ):
            raise ValueError("the similar table does not fit the catalogue")
        return table


@dataclass(frozen=True)
class _StoredReasons:
    """The reasons of one stored list, rebuilt from their parts when asked (Explains)."""

    table: SimilarTable
    song: int

    def reasons(self, positions: Sequence[int]) -> tuple[Reason, ...]:
        table, song = self.table, self.song
        kinds = table.kinds[song].tolist()
        because_of = table.because_of[song].tolist()
        tags = table.tags[song].tolist()
        share_kinds = table.share_kinds[song].tolist()
        share_values = table.share_values[song].tolist()
        share_kind, none = _SHARE_KINDS, _NONE
        out: list[Reason] = []
        for position in positions:
            other, tag = because_of[position], tags[position]
            numbers = share_kinds[position]
            # Shares are stored largest first, then the unused places.
            used = numbers.index(none) if none in numbers else len(numbers)
            values = share_values[position]
            out.append(
                Reason(
                    kind=_KINDS[kinds[position]],
                    because_of=None if other == none else other,
                    tag=None if tag == none else tag,
                    shares=tuple([(share_kind[numbers[j]], values[j]) for j in range(used)]),
                )
            )
        return tuple(out)


def _empty(rows: int, k: int, familiarity: float) -> SimilarTable:
    shares = (rows, k, len(_SHARE_KINDS))
    return SimilarTable(
        familiarity=familiarity,
        stored=np.zeros(rows, dtype=bool),
        ids=np.full((rows, k), _NONE, dtype=np.int32),
        scores=np.zeros((rows, k), dtype=np.float32),
        kinds=np.full((rows, k), _NONE, dtype=np.int8),
        because_of=np.full((rows, k), _NONE, dtype=np.int32),
        tags=np.full((rows, k), _NONE, dtype=np.int32),
        share_kinds=np.full(shares, _NONE, dtype=np.int8),
        share_values=np.zeros(shares, dtype=np.float64),
    )


def _rows_rank(
    similar: Callable[[int, int], Ranked], songs: np.ndarray, k: int
) -> dict[str, np.ndarray]:
    """The table's rows for `songs`, ranked one by one (run in a forked child, or here)."""
    part = _empty(len(songs), k, 0.0)
    for row, song in enumerate(songs.tolist()):
        ranked = similar(song, k)
        if ranked.source != SOURCE_MODEL:
            raise ValueError(f"song {song} has no model answer: store only songs with a signal")
        n = len(ranked)
        part.ids[row, :n] = ranked.song_ids
        part.scores[row, :n] = ranked.scores
        for position, reason in enumerate(ranked.reasons()):
            part.kinds[row, position] = _KIND_NUMBER[reason.kind]
            other, tag = reason.because_of, reason.tag
            part.because_of[row, position] = _NONE if other is None else other
            part.tags[row, position] = _NONE if tag is None else tag
            for j, (kind, share) in enumerate(reason.shares):
                part.share_kinds[row, position, j] = _SHARE_NUMBER[kind]
                part.share_values[row, position, j] = share
    return {
        name: getattr(part, name)
        for name in ("ids", "scores", "kinds", "because_of", "tags", "share_kinds", "share_values")
    }
