"""The song index: inner-product search over song vectors, keyed by song id.

This is the only module that imports faiss. The FAISS ids are the song ids themselves
(`IndexIDMap2`), so a search answers song ids with no lookup table; with L2-normalised vectors
the inner product is the cosine.

- Below `IndexSettings.exact_below` songs the index is flat: exact, the true nearest neighbours.
- From there on it is an inverted file (`IndexIVFFlat`, `lists` lists, `nprobe` of them
  searched): the vectors are stored exactly and every song stays reachable, but a query scans
  about nprobe / lists of them, so a few true neighbours can be missed. The lists grow with
  the square root of the catalogue (`IndexSettings.lists_for`): with a fixed number, each
  query scans a fixed share of the songs, and the worker's neighbour tables, one query per
  song, grow with the square of the catalogue. `index_recall` measures
  how many, against an exact scan; the worker stores it on every version. The ranking
  recomputes exact scores for every candidate anyway.
- With a `recall_target`, the build searches as few lists as reach it: the smallest nprobe of
  NPROBE_LADDER (at most `IndexSettings.most_probes`) whose recall@10 on a sample of the
  queries the ranking will ask is at least the target. Vectors that cluster well (the unit
  "sounds like" vectors) need far fewer probes than raw output vectors, and a query's cost
  grows with its probes.
- Vectors of unequal lengths (the raw output vectors) are lifted before an inverted file
  stores them: one more coordinate, sqrt(longest^2 - |x|^2), gives every row the same length,
  and queries get a 0 there, so every inner product is unchanged while the largest inner
  product becomes the smallest angle (Bachrach et al., 2014). k-means then groups the rows by
  direction, which is what a query's best matches share; on raw lengths the long rows crowd
  into a few lists and a query has to search many more of them for the same recall. The
  lifted file puts a zero-padding transform in front (`IndexPreTransform`), so it is asked
  with ordinary vectors and saved and loaded like any other. Lifting is not always cheaper
  (on yes_complete's own vectors the raw file reached the target with 48 probes, the lifted
  one with 64; at a million songs the lifted one with 24, where the raw one missed it at 64),
  so with a recall target the build calibrates both files and keeps the one with fewer probes.

The settings come from Django settings (RECOMMENDER_INDEX_*, docs/operations.md) through the
training pipeline; nprobe is written into the index file, so a version keeps its own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

# The index file's name inside a model version's artifact folder.
INDEX_FILE = "songs.faiss"
# k-means wants a few dozen points per list; smaller catalogues get fewer lists.
POINTS_PER_LIST = 64
RECALL_K = 10
RECALL_QUERIES = 1_000
# The probe counts a recall target chooses among, cheapest first.
NPROBE_LADDER = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
# The calibration's sample of queries differs from the stored recall's (seed 0), so the
# stored figure is a fresh estimate rather than the one the choice was made on.
CALIBRATION_SEED = 1
# Relative spread of squared lengths below which rows count as equally long (unit vectors
# stored as float32), and are not lifted.
EQUAL_LENGTHS = 1e-4
# A BLAS threshold no batch reaches (the largest C int): see _batch_search.
_NEVER = 2**31 - 1


@dataclass(frozen=True)
class IndexSettings:
    """When the index turns approximate, and how approximate it is."""

    exact_below: int = 20_000
    lists: int = 256  # the fewest lists of an inverted file (lists_for)
    # Lists per square root of the songs, above `lists`. A query costs about lists centroid
    # products plus nprobe * songs / lists vectors, least near lists ~ sqrt(nprobe * songs);
    # 0.5 keeps catalogues up to 262,144 songs on the 256 lists that earlier versions used.
    lists_per_root: float = 0.5
    # With a recall target: the most lists a query may search in a file of `lists` lists;
    # a file with more lists may search the same share of them (most_probes).
    nprobe: int = 64
    recall_target: float | None = 0.96
    # Lift vectors of unequal lengths: True or False, or None to keep whichever file reaches
    # the recall target with fewer probes (lifted when there is no target).
    lift: bool | None = None

    def __post_init__(self) -> None:
        if self.exact_below < 0 or self.lists < 1 or self.nprobe < 1 or self.lists_per_root < 0:
            raise ValueError(f"index settings must be positive: {self}")
        if self.recall_target is not None and not 0.0 < self.recall_target <= 1.0:
            raise ValueError(f"the recall target must be in (0, 1]: {self}")

    def lists_for(self, songs: int) -> int:
        """The inverted file's lists for `songs` vectors: `lists`, or lists_per_root *
        sqrt(songs) when that is more, and never fewer than POINTS_PER_LIST songs a list."""
        grown = round(self.lists_per_root * math.sqrt(songs))
        return min(max(self.lists, grown), songs // POINTS_PER_LIST)

    def most_probes(self, lists: int) -> int:
        """The most lists a query of a file with `lists` lists may search: `nprobe`, or the
        same share of the lists when the file has more than `lists` of them."""
        return min(lists, max(self.nprobe, round(self.nprobe * lists / self.lists)))


EXACT_BELOW = IndexSettings().exact_below


class SongIndex:
    """Exact inner-product nearest-neighbour search over one vector per song id."""

    def __init__(self, index: faiss.Index) -> None:
        # `index` is the id map, or a lifted file: the zero-padding transform over the id map.
        self._index = index
        self._mapped = _id_map_of(index)

    @classmethod
    def build(
        cls,
        song_ids: np.ndarray,
        vectors: np.ndarray,
        settings: IndexSettings | None = None,
        *,
        queries: np.ndarray | None = None,
    ) -> SongIndex:
        """Index `vectors[i]` under `song_ids[i]`; vectors are used as given (normalise first).

        `queries` (default: the vectors themselves) are what the ranking will search with;
        an inverted file with a recall target picks its nprobe on a sample of them.
        """
        settings = settings or IndexSettings()
        ids = np.ascontiguousarray(np.asarray(song_ids, dtype=np.int64).reshape(-1))
        matrix = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
        if matrix.ndim != 2:
            raise ValueError(f"vectors must be a 2-D matrix (got shape {matrix.shape})")
        if len(ids) != matrix.shape[0]:
            raise ValueError(f"{len(ids)} song ids for {matrix.shape[0]} vectors")
        if matrix.shape[1] < 1:
            raise ValueError("vectors must have at least one dimension")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("song ids must be unique")
        dimensions = matrix.shape[1]
        lists = settings.lists_for(len(ids))
        if len(ids) < settings.exact_below or lists < 2:
            index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimensions))
            if len(ids):
                index.add_with_ids(matrix, ids)
        else:
            most = settings.most_probes(lists)
            index = _inverted_file(ids, matrix, lists, most, lift=settings.lift is not False)
        built = cls(_ready(index))
        if settings.recall_target is None or built._inverted() is None:
            return built
        asked = matrix if queries is None else np.asarray(queries, dtype=np.float32)
        reached = built._calibrate(matrix, asked, settings.recall_target)
        if settings.lift is None and built.lifted:
            raw = cls(_ready(_inverted_file(ids, matrix, lists, most, lift=False)))
            raw_reached = raw._calibrate(matrix, asked, settings.recall_target)
            if (raw.probes, -raw_reached) < (built.probes, -reached):
                return raw
        return built

    def _calibrate(self, vectors: np.ndarray, queries: np.ndarray, target: float) -> float:
        """Lower nprobe to the cheapest rung of NPROBE_LADDER that reaches `target` recall;
        return the recall it reached on the calibration sample."""
        inverted = self._inverted()
        assert inverted is not None  # build() calibrates inverted files only
        most = int(inverted.nprobe)
        probe = _RecallProbe(self, vectors, queries, seed=CALIBRATION_SEED)
        for nprobe in [n for n in NPROBE_LADDER if n < most]:
            inverted.nprobe = nprobe
            recall = probe.recall()
            if recall >= target:
                return recall
        inverted.nprobe = most
        return probe.recall()

    @property
    def lifted(self) -> bool:
        """Whether the stored vectors were lifted to equal lengths (a transform pads queries)."""
        return self._index is not self._mapped

    @property
    def probes(self) -> int:
        """The lists a query searches (0 for a flat index, which has none)."""
        inverted = self._inverted()
        return 0 if inverted is None else int(inverted.nprobe)

    @property
    def dimensions(self) -> int:
        return int(self._index.d)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def __len__(self) -> int:
        return self.size

    def describe(self) -> dict[str, object]:
        """What kind of index this is: {"kind": "flat"}, or the inverted file's lists and
        probes, with "lifted": True when its vectors were lifted to equal lengths."""
        inner = self._inverted()
        if inner is None:
            return {"kind": "flat"}
        kind: dict[str, object] = {
            "kind": "ivf-flat",
            "lists": int(inner.nlist),
            "nprobe": int(inner.nprobe),
        }
        if self.lifted:
            kind["lifted"] = True
        return kind

    def _inverted(self) -> faiss.IndexIVF | None:
        inner = faiss.downcast_index(self._mapped.index)
        return inner if isinstance(inner, faiss.IndexIVF) else None

    def search(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best songs per query row: (scores float32 (q, k), song ids int64 (q, k)).

        Best first; rows are padded with id -1 (and the lowest float32 as score) when k exceeds
        the index size.
        """
        queries = np.ascontiguousarray(np.asarray(query_vectors, dtype=np.float32))
        if queries.ndim == 1:
            queries = queries.reshape(1, -1)
        if queries.shape[1] != self.dimensions:
            raise ValueError(
                f"query vectors have {queries.shape[1]} dimensions, the index {self.dimensions}"
            )
        if k < 1:
            raise ValueError(f"k must be at least 1 (got {k})")
        scores, ids = self._index.search(queries, int(k))
        return scores, ids.astype(np.int64, copy=False)

    def search_each(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """`search` for many rows at once on every core; each row gets exactly what `search`
        answers for it alone on one thread (as serving asks), ties in the same order."""
        with _batch_search():
            return self.search(query_vectors, k)

    def vector(self, song_id: int) -> np.ndarray:
        """The stored vector of one song (KeyError when the song is not in the index)."""
        try:
            return np.asarray(self._index.reconstruct(int(song_id)), dtype=np.float32)
        except RuntimeError as exc:  # faiss reports an unknown id as a RuntimeError
            raise KeyError(song_id) from exc

    def __contains__(self, song_id: object) -> bool:
        if not isinstance(song_id, int | np.integer):
            return False
        try:
            self._index.reconstruct(int(song_id))
        except RuntimeError:
            return False
        return True

    def save(self, path: Path) -> Path:
        """Write the index to `path` (a file, or a folder to hold songs.faiss); return the file."""
        target = _file_for(Path(path))
        faiss.write_index(self._index, str(target))
        return target

    @classmethod
    def load(cls, path: Path) -> SongIndex:
        """Read an index written by save (`path` is the file or the folder holding songs.faiss)."""
        source = _file_for(Path(path))
        if not source.is_file():
            raise FileNotFoundError(f"no index file at {source}")
        # A flat index is mapped, not read: its vectors stay in the page cache, one copy for
        # every web worker, and a scan of mapped memory is as fast. FAISS reads mapped inverted
        # lists through its on-disk lists, which made one search twenty times slower, so an
        # inverted file is read into memory (gunicorn's master loads it before forking, so
        # the workers still share it: config/gunicorn.py).
        # read_index answers the file's own class (IndexIDMap2, or IndexPreTransform when
        # lifted); a downcast copy would not own the index, which the original then frees.
        index = faiss.read_index(str(source), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        try:
            mapped = _id_map_of(index)
        except ValueError as exc:
            raise ValueError(f"{source} holds {exc}") from exc
        if isinstance(faiss.downcast_index(mapped.index), faiss.IndexIVF):
            index = faiss.read_index(str(source))
        return cls(_ready(index))


@contextmanager
def one_search_thread() -> Iterator[None]:
    """Run one-query searches on one OpenMP thread, then restore the previous setting.

    A single query is too small to share out: on a busy machine the other threads spin and
    wait, and the worker's evaluation (thousands of one-query searches) ran several times
    slower with them.
    """
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


@contextmanager
def _batch_search() -> Iterator[None]:
    """Every core, and the one-query kernel for every query; restore both settings after.

    From a number of queries on, FAISS scores them by matrix product (BLAS) instead of one
    query at a time. The sums round differently in the last bits, which reorders near ties
    and, in an inverted file, can change which lists a query probes: a batch would then answer
    some rows otherwise than a single search does. With the one-query kernel the rows agree.
    """
    threads_before = faiss.omp_get_max_threads()
    blas_before = faiss.cvar.distance_compute_blas_threshold
    faiss.omp_set_num_threads(_cores())
    faiss.cvar.distance_compute_blas_threshold = _NEVER
    try:
        yield
    finally:
        faiss.cvar.distance_compute_blas_threshold = blas_before
        faiss.omp_set_num_threads(threads_before)


def _cores() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def index_recall(
    index: SongIndex,
    vectors: np.ndarray,
    queries: np.ndarray,
    *,
    k: int = RECALL_K,
    sample: int = RECALL_QUERIES,
    seed: int = 0,
) -> float:
    """Share of the exact top k that `index` finds, over a sample of `queries` rows.

    `vectors` are the indexed rows, in the order build() added them; `queries` are what the
    ranking asks with (for "what comes next", the input vectors against the output vectors).
    The exact answer is a plain numpy scan, so FAISS does not judge itself.
    """
    return _RecallProbe(index, vectors, queries, k=k, sample=sample, seed=seed).recall()


class _RecallProbe:
    """A sample of queries with their exact top k, to measure an index's recall repeatedly."""

    def __init__(
        self,
        index: SongIndex,
        vectors: np.ndarray,
        queries: np.ndarray,
        *,
        k: int = RECALL_K,
        sample: int = RECALL_QUERIES,
        seed: int = 0,
    ) -> None:
        self.index = index
        matrix = np.asarray(vectors, dtype=np.float32)
        self.empty = not len(matrix) or not len(queries)
        if self.empty:
            return
        self.k = min(k, len(matrix))
        rows = np.random.default_rng(seed).choice(len(queries), size=min(sample, len(queries)))
        self.asked = np.ascontiguousarray(np.asarray(queries, dtype=np.float32)[rows])
        exact_rows = np.argpartition(-(self.asked @ matrix.T), self.k - 1, axis=1)[:, : self.k]
        ids = faiss.vector_to_array(index._mapped.id_map).astype(np.int64)
        self.exact = ids[exact_rows]

    def recall(self) -> float:
        if self.empty:
            return 1.0
        _, found = self.index.search(self.asked, self.k)
        hits = sum(len(np.intersect1d(a, b)) for a, b in zip(self.exact, found, strict=True))
        return hits / (len(self.asked) * self.k)


def _inverted_file(
    ids: np.ndarray, matrix: np.ndarray, lists: int, nprobe: int, *, lift: bool
) -> faiss.Index:
    """An inverted file over `matrix` keyed by `ids`; with `lift`, lifted when the rows'
    lengths differ."""
    dimensions = matrix.shape[1]
    stored = _lifted(matrix) if lift else matrix
    width = stored.shape[1]
    inverted = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(width), width, lists, faiss.METRIC_INNER_PRODUCT
    )
    inverted.train(stored)  # k-means with FAISS's fixed seed: the same lists every run
    inverted.nprobe = nprobe
    mapped = faiss.IndexIDMap2(inverted)
    mapped.add_with_ids(stored, ids)
    if width == dimensions:
        return mapped
    # Queries reach the lifted rows through a transform that appends their zero coordinate
    # (uniform=False: input i goes to output i, the last output is 0; faiss's type stubs know
    # only the overload that takes a map).
    padding = faiss.RemapDimensionsTransform(dimensions, width, False)  # type: ignore[arg-type]
    padded = faiss.IndexPreTransform(padding, mapped)
    padded.ntotal = mapped.ntotal  # rows were added to the id map, behind the transform
    return padded


def _lifted(matrix: np.ndarray) -> np.ndarray:
    """`matrix` with one more column that makes every row as long as the longest, or
    `matrix` itself when the rows are already (within float32 rounding) of one length."""
    squares = np.einsum("ij,ij->i", matrix, matrix, dtype=np.float64)
    longest = float(squares.max()) if len(squares) else 0.0
    if longest == 0.0 or float(squares.min()) >= longest * (1.0 - EQUAL_LENGTHS):
        return matrix
    extra = np.sqrt(np.maximum(longest - squares, 0.0)).astype(np.float32)
    return np.ascontiguousarray(np.hstack([matrix, extra[:, None]]))


def _id_map_of(index: faiss.Index) -> faiss.IndexIDMap2:
    """The id map inside `index`: itself, or the one behind a lifted file's transform."""
    if isinstance(index, faiss.IndexPreTransform):
        index = faiss.downcast_index(index.index)
    if not isinstance(index, faiss.IndexIDMap2):
        raise ValueError(f"a {type(index).__name__}, not an IndexIDMap2")
    return index


def _ready(index: faiss.Index) -> faiss.Index:
    """What a file does not keep: the map from ids to stored vectors that `vector` needs.
    (nprobe is kept in the file: each version searches as it was measured.)"""
    inner = faiss.downcast_index(_id_map_of(index).index)
    if isinstance(inner, faiss.IndexIVF):
        inner.make_direct_map()
    return index


def _file_for(path: Path) -> Path:
    return path / INDEX_FILE if path.is_dir() else path
