"""One version's Word2Vec vectors as the ranking reads them, with their two FAISS indexes.

- `query`: unit input vectors. cosine(input, input) is "sounds like": songs that stations play
  in the same surroundings.
- `output`: raw output (negative-sampling) vectors. input . output is "what comes next": the
  product skip-gram trains to be large for neighbouring songs; the norm is a learned prior.

`rows` maps every catalogue song id to its row (-1 without a vector) so that features gather
vectors for hundreds of candidates with one fancy index.

Each song's own nearest songs, the question asked for the newest song of a context, do not
change while a version serves: the worker finds them for every row with one batched search
per index and the version keeps them as two tables, so serving reads a row instead of
searching (`nearest_next_of_row`, `nearest_alike_of_row`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from recommender.ml.embeddings import SongEmbeddings
from recommender.ml.index import IndexSettings, SongIndex, index_recall
from recommender.ml.shared_arrays import readonly

# The "what comes next" index keeps the historical file name (songs.faiss).
ALIKE_INDEX_FILE = "songs_alike.faiss"
NEXT_TABLE_FILE = "neighbours_next.npy"
ALIKE_TABLE_FILE = "neighbours_alike.npy"
# Nearest songs kept per row in the tables. features.py asks one song for NEAREST_TAKEN + 1 of
# them (the song itself is usually its own nearest and is dropped there) and relies on this
# width to answer from the table; a wider ask falls back to a FAISS search.
NEIGHBOURS_KEPT = 51


@dataclass(frozen=True)
class SongVectors:
    song_ids: np.ndarray  # int64 (n,)
    rows: np.ndarray  # int32 (catalogue_size,): row of each song id, -1 without a vector
    query: np.ndarray  # float32 (n, d), unit rows
    output: np.ndarray  # float32 (n, d), raw
    next_index: SongIndex  # exact inner product over `output`
    alike_index: SongIndex  # exact inner product over `query` (cosine)
    # int32 (n, NEIGHBOURS_KEPT): each row's nearest_next / nearest_alike song ids, -1 padded
    next_neighbours: np.ndarray
    alike_neighbours: np.ndarray

    @classmethod
    def from_embeddings(
        cls,
        embeddings: SongEmbeddings,
        *,
        catalogue_size: int,
        next_index: SongIndex | None = None,
        alike_index: SongIndex | None = None,
        index_settings: IndexSettings | None = None,
        next_neighbours: np.ndarray | None = None,
        alike_neighbours: np.ndarray | None = None,
    ) -> SongVectors:
        """Vectors keyed for ranking; builds the indexes and finds the neighbour tables unless
        they are given (loaded)."""
        ids = np.asarray(embeddings.song_ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < catalogue_size)
        if not bool(inside.all()):
            raise ValueError("some vectors belong to songs outside the catalogue")
        rows = np.full(catalogue_size, -1, dtype=np.int32)
        rows[ids] = np.arange(len(ids), dtype=np.int32)
        query = np.ascontiguousarray(embeddings.query_vectors, dtype=np.float32)
        output = np.ascontiguousarray(embeddings.candidate_vectors, dtype=np.float32)
        # Both are searched with input vectors (nearest_next, nearest_alike).
        next_index = next_index or SongIndex.build(ids, output, index_settings, queries=query)
        alike_index = alike_index or SongIndex.build(ids, query, index_settings)
        if next_neighbours is None:
            next_neighbours = _neighbours_find(next_index, query)
        if alike_neighbours is None:
            alike_neighbours = _neighbours_find(alike_index, query)
        for name, table in (("next", next_neighbours), ("alike", alike_neighbours)):
            _neighbours_check(name, table, rows, size=len(ids))
        return cls(
            song_ids=ids,
            rows=rows,
            query=query,
            output=output,
            next_index=next_index,
            alike_index=alike_index,
            next_neighbours=next_neighbours,
            alike_neighbours=alike_neighbours,
        )

    @property
    def size(self) -> int:
        return len(self.song_ids)

    def index_report(self) -> dict[str, dict[str, object]]:
        """Per index, its kind and its recall@10 against an exact scan (1.0 when flat)."""
        report: dict[str, dict[str, object]] = {}
        # Both indexes are asked with query (input) vectors: nearest_next, nearest_alike.
        for name, index, vectors in (
            ("next", self.next_index, self.output),
            ("sounds_like", self.alike_index, self.query),
        ):
            kind = index.describe()
            exact = kind["kind"] == "flat"
            recall = 1.0 if exact else round(index_recall(index, vectors, self.query), 4)
            report[name] = {**kind, "songs": index.size, "recall_at_10": recall}
        return report

    @cached_property
    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """rows, query and output as candidate_kernel.candidates_compute takes them."""
        return (
            readonly(self.rows, np.int32),
            readonly(self.query, np.float32),
            readonly(self.output, np.float32),
        )

    def row_of(self, song: int) -> int:
        return int(self.rows[song]) if 0 <= song < len(self.rows) else -1

    def nearest_next(self, query: np.ndarray, k: int) -> np.ndarray:
        """Song ids with the largest query . output, best first."""
        return self._search(self.next_index, query, k)

    def nearest_alike(self, query: np.ndarray, k: int) -> np.ndarray:
        """Song ids with the largest cosine to `query` among the input vectors, best first."""
        return self._search(self.alike_index, query, k)

    def nearest_next_of_row(self, row: int, k: int) -> np.ndarray:
        """`nearest_next(self.query[row], k)`, read from the table when k fits in it."""
        return self._nearest_of_row(self.next_neighbours, self.next_index, row, k)

    def nearest_alike_of_row(self, row: int, k: int) -> np.ndarray:
        """`nearest_alike(self.query[row], k)`, read from the table when k fits in it."""
        return self._nearest_of_row(self.alike_neighbours, self.alike_index, row, k)

    def _nearest_of_row(self, table: np.ndarray, index: SongIndex, row: int, k: int) -> np.ndarray:
        if k > NEIGHBOURS_KEPT:
            return self._search(index, self.query[row], k)
        _k_check(k)
        found = table[row, :k].astype(np.int64)
        return found[found >= 0]

    def _search(self, index: SongIndex, query: np.ndarray, k: int) -> np.ndarray:
        _k_check(k)
        if self.size == 0:
            return np.zeros(0, dtype=np.int64)
        # At least as wide as the tables, then cut: FAISS orders tied scores by what its heap
        # held, so a narrower search can order ties otherwise than the table's row.
        _, ids = index.search(query.reshape(1, -1), min(max(k, NEIGHBOURS_KEPT), self.size))
        found = ids[0][:k]
        return found[found >= 0]

    def save(self, folder: Path, *, embeddings: SongEmbeddings) -> None:
        """Write the vectors (SongEmbeddings' files), both indexes and both neighbour tables
        into `folder`."""
        folder = Path(folder)
        embeddings.save(folder)
        self.next_index.save(folder)
        self.alike_index.save(folder / ALIKE_INDEX_FILE)
        np.save(folder / NEXT_TABLE_FILE, self.next_neighbours, allow_pickle=False)
        np.save(folder / ALIKE_TABLE_FILE, self.alike_neighbours, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, *, catalogue_size: int) -> tuple[SongVectors, SongEmbeddings]:
        folder = Path(folder)
        embeddings = SongEmbeddings.load(folder)
        next_index = SongIndex.load(folder)
        alike_index = SongIndex.load(folder / ALIKE_INDEX_FILE)
        vectors = cls.from_embeddings(
            embeddings,
            catalogue_size=catalogue_size,
            next_index=next_index,
            alike_index=alike_index,
            next_neighbours=_neighbours_load(folder / NEXT_TABLE_FILE),
            alike_neighbours=_neighbours_load(folder / ALIKE_TABLE_FILE),
        )
        if next_index.size != vectors.size or alike_index.size != vectors.size:
            raise ValueError("the indexes do not hold one vector per song of the embeddings")
        return vectors, embeddings


def _neighbours_find(index: SongIndex, query: np.ndarray) -> np.ndarray:
    """Every row's nearest songs in `index`, as `SongVectors._search` answers one row."""
    table = np.full((len(query), NEIGHBOURS_KEPT), -1, dtype=np.int32)
    width = min(NEIGHBOURS_KEPT, index.size)
    if width and len(query):
        _, ids = index.search_each(query, width)
        table[:, :width] = ids
    return table


def _neighbours_load(path: Path) -> np.ndarray:
    # Mapped read-only: web workers share one copy in the page cache. A missing file raises
    # here: a version without its tables does not load.
    try:
        return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
    except EOFError as exc:  # an empty file; the loaders' callers expect ValueError or OSError
        raise ValueError(f"{path} is empty") from exc


def _neighbours_check(name: str, table: np.ndarray, rows: np.ndarray, *, size: int) -> None:
    """Refuse a table that does not give each row NEIGHBOURS_KEPT song ids with a vector."""
    if table.dtype != np.int32 or table.shape != (size, NEIGHBOURS_KEPT):
        raise ValueError(
            f"the {name} neighbour table is {table.dtype} {table.shape}, "
            f"expected int32 ({size}, {NEIGHBOURS_KEPT})"
        )
    found = table[table != -1]
    if len(found) and not (
        int(found.min()) >= 0 and int(found.max()) < len(rows) and bool((rows[found] >= 0).all())
    ):
        raise ValueError(f"the {name} neighbour table names songs without a vector")


def _k_check(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k})")
