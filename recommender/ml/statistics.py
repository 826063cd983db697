"""Playlist statistics: what radio stations played after, two songs after, and alongside a song.

Built by the worker from the training playlists only, stored in a version's folder and loaded
by every web process. Each table is a set of sparse rows (CSR): row `i` lists target songs
with their counts, most frequent first, so the first entries of a row are its best candidates.

- `successors[g - 1]`: song -> songs played exactly `g` positions later (g = 1..MAX_GAP).
- `second_order`: (previous song, song) -> the song played next; rows keyed by an int64 pair key.
- `cooccurrence`: song -> songs in the same playlists (counted once per playlist), the
  COOCCURRENCE_PER_SONG most frequent kept per song.
- `plays`: how often each song was played in the training playlists (the popularity prior).

Every row also keeps its total before truncation, so shares (count / total) stay exact.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from recommender.ml.shared_arrays import arrays_map, arrays_save, readonly

MAX_GAP = 5
SUCCESSORS_PER_SONG = 50
SECOND_ORDER_PER_PAIR = 50
COOCCURRENCE_PER_SONG = 50
STATISTICS_FILE = "statistics.npz"
STATISTICS_META = "statistics.json"
STATISTICS_FORMAT = 1


@dataclass(frozen=True)
class SparseRows:
    """CSR rows: targets[indptr[i]:indptr[i + 1]] with their counts, most frequent first."""

    indptr: np.ndarray  # int32 (rows + 1,)
    targets: np.ndarray  # int32 (nnz,)
    counts: np.ndarray  # uint16 (nnz,)
    totals: np.ndarray  # float32 (rows,): each row's sum before it was truncated

    def __post_init__(self) -> None:
        # Half the bytes of int64 offsets and float32 counts (the tables are most of a web
        # worker's added memory). A count is at most the number of playlists or of plays of
        # one song, far below 65,535 on this data; larger ones are clipped, not wrapped.
        if len(self.targets) >= 2**31:
            raise ValueError("a statistics table this large needs 64-bit offsets")
        object.__setattr__(self, "indptr", self.indptr.astype(np.int32, copy=False))
        if self.counts.dtype != np.uint16:
            counts = np.minimum(self.counts, np.iinfo(np.uint16).max)
            object.__setattr__(self, "counts", counts.astype(np.uint16))

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def row(self, i: int, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(targets, counts) of row i, at most `limit` of them; empty outside the table."""
        if i < 0 or i >= self.rows:
            return self.targets[:0], self.counts[:0]
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        if limit is not None:
            end = min(end, start + limit)
        return self.targets[start:end], self.counts[start:end]

    def total(self, i: int) -> float:
        return float(self.totals[i]) if 0 <= i < self.rows else 0.0

    @property
    def nbytes(self) -> int:
        return int(
            self.indptr.nbytes + self.targets.nbytes + self.counts.nbytes + self.totals.nbytes
        )


@dataclass(frozen=True)
class PlaylistStatistics:
    """Counts from the training playlists that the scorer and the baselines read."""

    catalogue_size: int
    plays: np.ndarray  # float32 (catalogue_size,)
    successors: tuple[SparseRows, ...]  # gaps 1..MAX_GAP
    pair_keys: np.ndarray  # int64 sorted: previous * catalogue_size + song, one per row below
    second_order: SparseRows
    cooccurrence: SparseRows
    playlist_counts: np.ndarray  # float32 (catalogue_size,): playlists each song is in
    # The playlists themselves as sets of songs, both ways (CSR): for "playlists like these".
    song_playlists_indptr: np.ndarray  # int64 (catalogue_size + 1,)
    song_playlists: np.ndarray  # int32: playlist numbers of each song
    playlist_songs_indptr: np.ndarray  # int64 (playlists + 1,)
    playlist_songs: np.ndarray  # int32: distinct songs of each playlist

    @property
    def playlists(self) -> int:
        return len(self.playlist_songs_indptr) - 1

    @cached_property
    def kernel_arrays(self) -> tuple[Any, ...]:
        """The tables as candidate_kernel.candidates_compute takes them, after its first five
        arguments: successors (four tuples: indptr, targets, counts, totals per gap), the
        second-order table with its pair keys, co-occurrence, playlist counts, plays and the
        playlists both ways."""
        gaps = self.successors
        return (
            tuple(readonly(t.indptr, np.int32) for t in gaps),
            tuple(readonly(t.targets, np.int32) for t in gaps),
            tuple(readonly(t.counts, np.uint16) for t in gaps),
            tuple(readonly(t.totals, np.float32) for t in gaps),
            readonly(self.pair_keys, np.int64),
            readonly(self.second_order.indptr, np.int32),
            readonly(self.second_order.targets, np.int32),
            readonly(self.second_order.counts, np.uint16),
            readonly(self.second_order.totals, np.float32),
            readonly(self.cooccurrence.indptr, np.int32),
            readonly(self.cooccurrence.targets, np.int32),
            readonly(self.cooccurrence.counts, np.uint16),
            readonly(self.playlist_counts, np.float32),
            readonly(self.plays, np.float32),
            readonly(self.song_playlists_indptr, np.int64),
            readonly(self.song_playlists, np.int32),
            readonly(self.playlist_songs_indptr, np.int64),
            readonly(self.playlist_songs, np.int32),
        )

    @cached_property
    def reason_tables(self) -> dict[str, tuple[tuple[np.ndarray, ...], ...]]:
        """Successors (all gaps) and co-occurrence as candidate_kernel.table_strength takes
        them: (indptrs, targets, counts, totals), one entry per table."""
        tables = {"successors": self.successors, "cooccurrence": (self.cooccurrence,)}
        return {
            name: (
                tuple(readonly(t.indptr, np.int32) for t in group),
                tuple(readonly(t.targets, np.int32) for t in group),
                tuple(readonly(t.counts, np.uint16) for t in group),
                tuple(readonly(t.totals, np.float32) for t in group),
            )
            for name, group in tables.items()
        }

    @property
    def max_gap(self) -> int:
        return len(self.successors)

    def pair_row(self, previous: int, song: int) -> int:
        """The second-order row of (previous, song), -1 when the pair was never played."""
        key = np.int64(previous) * self.catalogue_size + song
        where = int(np.searchsorted(self.pair_keys, key))
        if where < len(self.pair_keys) and self.pair_keys[where] == key:
            return where
        return -1

    def play_count(self, song: int) -> float:
        return float(self.plays[song]) if 0 <= song < self.catalogue_size else 0.0

    @property
    def nbytes(self) -> int:
        tables = [*self.successors, self.second_order, self.cooccurrence]
        arrays = (
            self.plays,
            self.pair_keys,
            self.playlist_counts,
            self.song_playlists_indptr,
            self.song_playlists,
            self.playlist_songs_indptr,
            self.playlist_songs,
        )
        return sum(table.nbytes for table in tables) + sum(int(a.nbytes) for a in arrays)

    def save(self, folder: Path) -> list[Path]:
        """Write the tables into `folder` (one .npz and a small .json); return the files."""
        folder = Path(folder)
        arrays: dict[str, np.ndarray] = {
            "plays": self.plays,
            "pair_keys": self.pair_keys,
            "playlist_counts": self.playlist_counts,
            "song_playlists_indptr": self.song_playlists_indptr,
            "song_playlists": self.song_playlists,
            "playlist_songs_indptr": self.playlist_songs_indptr,
            "playlist_songs": self.playlist_songs,
        }
        named = {f"successors_{g + 1}": t for g, t in enumerate(self.successors)}
        named.update(second_order=self.second_order, cooccurrence=self.cooccurrence)
        for name, table in named.items():
            for part in ("indptr", "targets", "counts", "totals"):
                arrays[f"{name}.{part}"] = getattr(table, part)
        data_path = folder / STATISTICS_FILE
        arrays_save(data_path, arrays)
        meta_path = folder / STATISTICS_META
        meta = {
            "format": STATISTICS_FORMAT,
            "catalogue_size": self.catalogue_size,
            "max_gap": self.max_gap,
            "bytes_in_memory": self.nbytes,
        }
        meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return [data_path, meta_path]

    @classmethod
    def load(cls, folder: Path) -> PlaylistStatistics:
        """Read tables written by save; ValueError when they do not fit together."""
        folder = Path(folder)
        meta = json.loads((folder / STATISTICS_META).read_text(encoding="utf-8"))
        if meta.get("format") != STATISTICS_FORMAT:
            raise ValueError(f"statistics format {meta.get('format')!r} is not supported")
        size = int(meta["catalogue_size"])
        # Mapped, not read: every web worker shares the page cache's one copy.
        arrays = arrays_map(folder / STATISTICS_FILE)

        def table(name: str, rows: int) -> SparseRows:
            result = SparseRows(
                indptr=arrays[f"{name}.indptr"],
                targets=arrays[f"{name}.targets"].astype(np.int32, copy=False),
                counts=arrays[f"{name}.counts"],
                totals=arrays[f"{name}.totals"].astype(np.float32, copy=False),
            )
            _check_table(name, result, rows=rows, catalogue_size=size)
            return result

        pair_keys = arrays["pair_keys"].astype(np.int64, copy=False)
        statistics = cls(
            catalogue_size=size,
            plays=arrays["plays"].astype(np.float32, copy=False),
            successors=tuple(
                table(f"successors_{g}", size) for g in range(1, int(meta["max_gap"]) + 1)
            ),
            pair_keys=pair_keys,
            second_order=table("second_order", len(pair_keys)),
            cooccurrence=table("cooccurrence", size),
            playlist_counts=arrays["playlist_counts"].astype(np.float32, copy=False),
            song_playlists_indptr=arrays["song_playlists_indptr"].astype(np.int64, copy=False),
            song_playlists=arrays["song_playlists"].astype(np.int32, copy=False),
            playlist_songs_indptr=arrays["playlist_songs_indptr"].astype(np.int64, copy=False),
            playlist_songs=arrays["playlist_songs"].astype(np.int32, copy=False),
        )
        _check_incidence(statistics)
        if len(statistics.plays) != size or len(statistics.playlist_counts) != size:
            raise ValueError("statistics: the play counts do not match the catalogue size")
        if len(pair_keys) > 1 and not bool(np.all(pair_keys[1:] > pair_keys[:-1])):
            raise ValueError("statistics: the second-order pair keys are not sorted")
        return statistics


def _check_incidence(statistics: PlaylistStatistics) -> None:
    size, playlists = statistics.catalogue_size, statistics.playlists
    for name, indptr, members, bound, rows in (
        (
            "song_playlists",
            statistics.song_playlists_indptr,
            statistics.song_playlists,
            playlists,
            size,
        ),
        (
            "playlist_songs",
            statistics.playlist_songs_indptr,
            statistics.playlist_songs,
            size,
            playlists,
        ),
    ):
        if len(indptr) != rows + 1 or indptr[0] != 0 or indptr[-1] != len(members):
            raise ValueError(f"statistics: {name}'s row pointers do not match its entries")
        if len(members) and (int(members.min()) < 0 or int(members.max()) >= bound):
            raise ValueError(f"statistics: {name} holds numbers outside its range")


def _check_table(name: str, table: SparseRows, *, rows: int, catalogue_size: int) -> None:
    indptr = table.indptr
    if len(indptr) != rows + 1 or len(table.totals) != rows:
        raise ValueError(f"statistics: table {name} has the wrong number of rows")
    if (
        indptr[0] != 0
        or indptr[-1] != len(table.targets)
        or len(table.counts) != len(table.targets)
    ):
        raise ValueError(f"statistics: table {name}'s row pointers do not match its entries")
    if len(indptr) > 1 and bool(np.any(indptr[1:] < indptr[:-1])):
        raise ValueError(f"statistics: table {name}'s row pointers go backwards")
    if len(table.targets) and (
        int(table.targets.min()) < 0 or int(table.targets.max()) >= catalogue_size
    ):
        raise ValueError(f"statistics: table {name} names songs outside the catalogue")


def statistics_build(
    *,
    playlists: Sequence[np.ndarray],
    catalogue_size: int,
    max_gap: int = MAX_GAP,
    successors_per_song: int = SUCCESSORS_PER_SONG,
    second_order_per_pair: int = SECOND_ORDER_PER_PAIR,
    cooccurrence_per_song: int = COOCCURRENCE_PER_SONG,
) -> PlaylistStatistics:
    """Count successors, second-order transitions and co-occurrence in the playlists.

    Song ids must lie in [0, catalogue_size). A song is never its own successor or neighbour:
    a station replaying a song says nothing about what goes with it.
    """
    arrays = [np.asarray(p, dtype=np.int64).reshape(-1) for p in playlists]
    arrays = [a for a in arrays if len(a)]
    size = int(catalogue_size)
    if arrays:
        songs = np.concatenate(arrays)
        if int(songs.min()) < 0 or int(songs.max()) >= size:
            raise ValueError(f"playlists name songs outside the catalogue of {size} songs")
        owner = np.repeat(np.arange(len(arrays)), [len(a) for a in arrays])
    else:
        songs = np.zeros(0, dtype=np.int64)
        owner = np.zeros(0, dtype=np.int64)
    plays = np.bincount(songs, minlength=size).astype(np.float32)

    successors = []
    for gap in range(1, max_gap + 1):
        same = owner[:-gap] == owner[gap:] if len(songs) > gap else np.zeros(0, dtype=bool)
        sources, targets = songs[:-gap][same], songs[gap:][same]
        successors.append(
            _rows_from_pairs(sources, targets, rows=size, keep=successors_per_song, width=size)
        )

    # (previous, song) -> next: triples of consecutive songs in one playlist.
    if len(songs) > 2:
        same = (owner[:-2] == owner[2:]) & (owner[:-2] == owner[1:-1])
        first, middle, last = songs[:-2][same], songs[1:-1][same], songs[2:][same]
    else:
        first = middle = last = np.zeros(0, dtype=np.int64)
    pair_key = first * size + middle
    pair_keys, pair_index = np.unique(pair_key, return_inverse=True)
    second_order = _rows_from_pairs(
        pair_index.reshape(-1),
        last,
        rows=len(pair_keys),
        keep=second_order_per_pair,
        width=size,
    )

    cooccurrence, playlist_counts, incidence = _cooccurrence(
        arrays, size=size, keep=cooccurrence_per_song
    )
    return PlaylistStatistics(
        catalogue_size=size,
        plays=plays,
        successors=tuple(successors),
        pair_keys=pair_keys.astype(np.int64),
        second_order=second_order,
        cooccurrence=cooccurrence,
        playlist_counts=playlist_counts,
        song_playlists_indptr=incidence[0],
        song_playlists=incidence[1],
        playlist_songs_indptr=incidence[2],
        playlist_songs=incidence[3],
    )


def _rows_from_pairs(
    sources: np.ndarray, targets: np.ndarray, *, rows: int, keep: int, width: int
) -> SparseRows:
    """Count (source, target) pairs into rows, most frequent first, `keep` per row at most."""
    useful = sources != targets if len(sources) == len(targets) else slice(None)
    sources, targets = np.asarray(sources)[useful], np.asarray(targets)[useful]
    keys, counts = np.unique(sources.astype(np.int64) * width + targets, return_counts=True)
    return _rows_from_counts(keys // width, keys % width, counts.astype(np.float32), rows, keep)


def _rows_from_counts(
    sources: np.ndarray, targets: np.ndarray, counts: np.ndarray, rows: int, keep: int
) -> SparseRows:
    totals = np.bincount(sources, weights=counts, minlength=rows).astype(np.float32)
    # By source, then more frequent first, then lower target id: one integer sort key (5x
    # faster than a lexsort); callers pass pairs sorted by (source, target), and the stable
    # sort keeps that order among equal counts.
    ceiling = np.int64(counts.max()) + 1 if len(counts) else np.int64(1)
    key = sources.astype(np.int64) * ceiling + (ceiling - 1 - counts.astype(np.int64))
    order = np.argsort(key, kind="stable")
    sources, targets, counts = sources[order], targets[order], counts[order]
    starts = np.searchsorted(sources, sources, side="left")
    kept = (np.arange(len(sources)) - starts) < keep
    sources, targets, counts = sources[kept], targets[kept], counts[kept]
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(sources, minlength=rows), out=indptr[1:])
    return SparseRows(
        indptr=indptr,
        targets=targets.astype(np.int32),
        counts=counts.astype(np.float32),
        totals=totals,
    )


Incidence = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _cooccurrence(
    arrays: list[np.ndarray], *, size: int, keep: int
) -> tuple[SparseRows, np.ndarray, Incidence]:
    """Song x song counts of shared playlists (X^T X of the playlist incidence), top `keep`."""
    import scipy.sparse as sparse  # training only: web processes never build statistics

    distinct = [np.unique(a) for a in arrays]
    counts_per_song = np.zeros(size, dtype=np.float32)
    if not distinct:
        empty = _rows_from_counts(
            np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32), size, keep
        )
        none = np.zeros(0, dtype=np.int32)
        return (
            empty,
            counts_per_song,
            (np.zeros(size + 1, dtype=np.int64), none, np.zeros(1, dtype=np.int64), none),
        )
    columns = np.concatenate(distinct)
    indptr = np.zeros(len(distinct) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in distinct], out=indptr[1:])
    incidence = sparse.csr_matrix(
        (np.ones(len(columns), dtype=np.float32), columns, indptr), shape=(len(distinct), size)
    )
    counts_per_song = np.bincount(columns, minlength=size).astype(np.float32)
    by_song = incidence.T.tocsr()
    product = (by_song @ incidence).tocsr()
    # The diagonal (a song with itself) is dropped row by row below, not with setdiag, which
    # rebuilds the whole matrix.
    totals = (np.asarray(product.sum(axis=1)).reshape(-1) - counts_per_song).astype(np.float32)
    row_lengths = np.diff(product.indptr) - (counts_per_song > 0)
    out_indptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.minimum(row_lengths, keep), out=out_indptr[1:])
    out_targets = np.empty(int(out_indptr[-1]), dtype=np.int32)
    out_counts = np.empty(int(out_indptr[-1]), dtype=np.float32)
    data, indices = product.data, product.indices
    for row in np.flatnonzero(row_lengths).tolist():
        start, end = int(product.indptr[row]), int(product.indptr[row + 1])
        values, targets = data[start:end], indices[start:end]
        off_diagonal = targets != row
        values, targets = values[off_diagonal], targets[off_diagonal]
        if len(values) > keep:
            best = np.argpartition(-values, keep - 1)[:keep]
            values, targets = values[best], targets[best]
        order = np.lexsort((targets, -values))
        o_start = int(out_indptr[row])
        out_targets[o_start : o_start + len(order)] = targets[order]
        out_counts[o_start : o_start + len(order)] = values[order]
    table = SparseRows(indptr=out_indptr, targets=out_targets, counts=out_counts, totals=totals)
    by_song.sort_indices()
    both_ways = (
        by_song.indptr.astype(np.int64),
        by_song.indices.astype(np.int32),
        indptr,
        columns.astype(np.int32),
    )
    return table, counts_per_song, both_ways
