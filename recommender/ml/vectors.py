"""One version's Word2Vec vectors as the ranking reads them, with their two FAISS indexes.

- `query`: unit input vectors. cosine(input, input) is "sounds like": songs that stations play
  in the same surroundings.
- `output`: raw output (negative-sampling) vectors. input . output is "what comes next": the
  product skip-gram trains to be large for neighbouring songs; the norm is a learned prior.

`rows` maps every catalogue song id to its row (-1 without a vector) so that features gather
vectors for hundreds of candidates with one fancy index.
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


@dataclass(frozen=True)
class SongVectors:
    song_ids: np.ndarray  # int64 (n,)
    rows: np.ndarray  # int32 (catalogue_size,): row of each song id, -1 without a vector
    query: np.ndarray  # float32 (n, d), unit rows
    output: np.ndarray  # float32 (n, d), raw
    next_index: SongIndex  # exact inner product over `output`
    alike_index: SongIndex  # exact inner product over `query` (cosine)

    @classmethod
    def from_embeddings(
        cls,
        embeddings: SongEmbeddings,
        *,
        catalogue_size: int,
        next_index: SongIndex | None = None,
        alike_index: SongIndex | None = None,
        index_settings: IndexSettings | None = None,
    ) -> SongVectors:
        """Vectors keyed for ranking; builds the indexes unless they are given (loaded)."""
        ids = np.asarray(embeddings.song_ids, dtype=np.int64)
        inside = (ids >= 0) & (ids < catalogue_size)
        if not bool(inside.all()):
            raise ValueError("some vectors belong to songs outside the catalogue")
        rows = np.full(catalogue_size, -1, dtype=np.int32)
        rows[ids] = np.arange(len(ids), dtype=np.int32)
        query = np.ascontiguousarray(embeddings.query_vectors, dtype=np.float32)
        output = np.ascontiguousarray(embeddings.candidate_vectors, dtype=np.float32)
        return cls(
            song_ids=ids,
            rows=rows,
            query=query,
            output=output,
            # Both are searched with input vectors (nearest_next, nearest_alike).
            next_index=next_index or SongIndex.build(ids, output, index_settings, queries=query),
            alike_index=alike_index or SongIndex.build(ids, query, index_settings),
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

    def _search(self, index: SongIndex, query: np.ndarray, k: int) -> np.ndarray:
        if self.size == 0:
            return np.zeros(0, dtype=np.int64)
        _, ids = index.search(query.reshape(1, -1), min(k, self.size))
        found = ids[0]
        return found[found >= 0]

    def save(self, folder: Path, *, embeddings: SongEmbeddings) -> None:
        """Write the vectors (SongEmbeddings' files) and both indexes into `folder`."""
        embeddings.save(folder)
        self.next_index.save(Path(folder))
        self.alike_index.save(Path(folder) / ALIKE_INDEX_FILE)

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
        )
        if next_index.size != vectors.size or alike_index.size != vectors.size:
            raise ValueError("the indexes do not hold one vector per song of the embeddings")
        return vectors, embeddings
