"""The candidate stage written as plain numpy: the oracle the compiled kernel is checked against.

This is the numpy implementation the app served before the candidate stage was compiled
(recommender/ml/candidate_kernel.py), kept here only to check the kernel: same candidates,
same features (to float32 rounding). Ties among equal weights are broken by the lower id,
as the kernel documents.
"""

from __future__ import annotations

import numpy as np

from recommender.ml.candidate_kernel import (
    CONTEXT_LIMIT,
    COOCCURRENCE_TAKEN,
    COOCCURRENCE_TAKEN_PER_SEED,
    NEAREST_TAKEN,
    NEIGHBOUR_PLAYLISTS,
    NEIGHBOUR_TAKEN,
    OTHER_GAPS_TAKEN,
    OTHER_SEED_SUCCESSORS_TAKEN,
    POPULAR_TAKEN,
    SECOND_ORDER_TAKEN,
    SUCCESSORS_TAKEN,
)
from recommender.ml.features import FEATURE_INDEX, FEATURES, Candidates, CatalogueArrays, Question
from recommender.ml.statistics import PlaylistStatistics
from recommender.ml.vectors import SongVectors


def _best_first(keys: np.ndarray, ids: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` largest keys, ties by the lower id, ascending."""
    if len(keys) <= limit:
        return np.arange(len(keys))
    order = np.lexsort((ids, -keys))
    return np.sort(order[:limit])


def _mean_query(vectors: SongVectors, rows: list[int]) -> np.ndarray | None:
    """The unit mean of some rows' query vectors (None for no rows)."""
    if not rows:
        return None
    if len(rows) == 1:
        return vectors.query[rows[0]]
    mean = vectors.query[rows].mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 1e-6 else vectors.query[rows[0]]


def neighbour_playlists(
    self: PlaylistStatistics, songs: list[int], *, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """Songs of the `limit` training playlists that share most with `songs`, with scores.

    A playlist's weight is the sum over the songs it shares of log(playlists / playlists
    holding that song): sharing a rare song says more than sharing a hit. A candidate's
    score is the weight of the neighbours holding it over the weight of all neighbours.
    """
    distinct = sorted({s for s in songs if 0 <= s < self.catalogue_size})
    empty = (self.playlist_songs[:0].astype(np.int64), np.zeros(0, dtype=np.float32))
    if not distinct or not self.playlists:
        return empty
    starts = self.song_playlists_indptr[distinct]
    ends = self.song_playlists_indptr[np.asarray(distinct) + 1]
    lengths = ends - starts
    if not int(lengths.sum()):
        return empty
    members = np.concatenate(
        [self.song_playlists[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    )
    idf = np.log((self.playlists + 1.0) / (lengths + 1.0))
    weights = np.bincount(members, weights=np.repeat(idf, lengths), minlength=self.playlists)
    nonzero = np.flatnonzero(weights)
    top = nonzero[_best_first(weights[nonzero], nonzero, limit)]
    top_weights = weights[top]
    p_starts = self.playlist_songs_indptr[top]
    p_ends = self.playlist_songs_indptr[top + 1]
    songs_of = np.concatenate(
        [self.playlist_songs[a:b] for a, b in zip(p_starts.tolist(), p_ends.tolist(), strict=True)]
    )
    ids, inverse = np.unique(songs_of, return_inverse=True)
    scores = np.bincount(inverse, weights=np.repeat(top_weights, p_ends - p_starts))
    return ids.astype(np.int64), (scores / top_weights.sum()).astype(np.float32)


def candidates_reference(
    *,
    context: list[int],
    question: Question,
    statistics: PlaylistStatistics,
    vectors: SongVectors,
    catalogue: CatalogueArrays,
    banned: np.ndarray,
    popular: np.ndarray,
) -> Candidates:
    """Collect candidates for `context` (oldest first) and compute their features.

    `banned` (sorted int64 ids) never becomes a candidate: the context itself and what the
    caller excludes. `popular` is the popularity ranking (most played first).
    """
    recent = context[-CONTEXT_LIMIT:]
    last = recent[-1]
    size = statistics.catalogue_size
    sources: list[np.ndarray] = []

    succ1 = statistics.successors[0]
    last_targets, last_counts = succ1.row(last)
    sources.append(last_targets[:SUCCESSORS_TAKEN])
    gap_rows: list[tuple[np.ndarray, np.ndarray, float, int]] = []
    if question in (Question.NEXT, Question.NEXT_ONE):
        for gap in range(2, min(statistics.max_gap, len(recent)) + 1):
            song = recent[-gap]
            targets, counts = statistics.successors[gap - 1].row(song)
            gap_rows.append((targets, counts, statistics.successors[gap - 1].total(song), gap))
            sources.append(targets[:OTHER_GAPS_TAKEN])
    pair_row = statistics.pair_row(recent[-2], last) if len(recent) >= 2 else -1
    pair_targets, pair_counts = statistics.second_order.row(pair_row)
    pair_total = statistics.second_order.total(pair_row)
    sources.append(pair_targets[:SECOND_ORDER_TAKEN])

    per_seed = COOCCURRENCE_TAKEN if len(recent) == 1 else COOCCURRENCE_TAKEN_PER_SEED
    cooc_rows = [statistics.cooccurrence.row(song) for song in recent]
    for targets, _ in cooc_rows:
        sources.append(targets[:per_seed])
    other_succ = [succ1.row(song) for song in recent[:-1]]
    for targets, _ in other_succ:
        sources.append(targets[:OTHER_SEED_SUCCESSORS_TAKEN])

    if len(set(recent)) > 1:
        neighbour_ids, neighbour_scores = neighbour_playlists(
            statistics, recent, limit=NEIGHBOUR_PLAYLISTS
        )
        best = _best_first(neighbour_scores.astype(np.float64), neighbour_ids, NEIGHBOUR_TAKEN)
        sources.append(neighbour_ids[best])
    else:
        neighbour_ids, neighbour_scores = np.zeros(0, np.int64), np.zeros(0, np.float32)

    last_row = vectors.row_of(last)
    context_rows = [row for row in (vectors.row_of(song) for song in recent) if row >= 0]
    context_query = _mean_query(vectors, context_rows)
    if question is Question.SIMILAR and last_row >= 0:
        sources.append(vectors.nearest_alike(vectors.query[last_row], NEAREST_TAKEN + 1))
    elif question is Question.CONTINUATION and context_query is not None:
        sources.append(vectors.nearest_next(context_query, NEAREST_TAKEN + len(recent)))
    elif last_row >= 0:
        sources.append(vectors.nearest_next(vectors.query[last_row], NEAREST_TAKEN + 1))
    sources.append(popular[: POPULAR_TAKEN + len(banned)])

    ids = np.unique(np.concatenate([np.asarray(s, dtype=np.int64) for s in sources]))
    ids = ids[(ids >= 0) & (ids < size)]
    if len(banned):
        ids = ids[~np.isin(ids, banned)]
    ids = ids[catalogue.recommendable[ids]]
    features = np.zeros((len(ids), len(FEATURES)), dtype=np.float32)
    if not len(ids):
        return Candidates(song_ids=ids, features=features)
    column = FEATURE_INDEX

    # Word2Vec: gathered for every candidate that has a vector.
    candidate_rows = vectors.rows[ids]
    placed = candidate_rows >= 0
    features[:, column["has_vector"]] = placed
    if placed.any() and last_row >= 0:
        rows = candidate_rows[placed]
        features[placed, column["embedding_next"]] = vectors.output[rows] @ vectors.query[last_row]
        features[placed, column["sounds_like"]] = vectors.query[rows] @ vectors.query[last_row]
    if placed.any() and context_query is not None:
        rows = candidate_rows[placed]
        features[placed, column["embedding_context"]] = vectors.output[rows] @ context_query
        mean_input = vectors.query[context_rows].mean(axis=0)
        features[placed, column["sounds_like_context"]] = vectors.query[rows] @ mean_input

    # The statistics: every (target, column, value) of every row read above goes into one
    # accumulation, so the cost is a few array operations, not a few per row. Each column is
    # a sum over rows (a row names a target at most once), so summing equals assigning.
    sums = _ColumnSums()
    total = succ1.total(last)
    if total > 0:
        sums.add(last_targets, "successor_share", last_counts / total)
        sums.add(last_targets, "successor_log", np.log1p(last_counts))
    for targets, counts, gap_total, gap in gap_rows:
        if gap_total > 0:
            sums.add(targets, "multi_step_share", counts / gap_total / gap)
    if pair_total > 0:
        sums.add(pair_targets, "second_order_share", pair_counts / pair_total)
        sums.add(pair_targets, "second_order_log", np.log1p(pair_counts))
    scale = 1.0 / len(recent)
    for song, (targets, counts) in zip(
        recent, [*other_succ, (last_targets, last_counts)], strict=True
    ):
        song_total = succ1.total(song)
        if song_total > 0:
            sums.add(targets, "successor_any_share", counts / song_total * scale)
    for song, (targets, counts) in zip(recent, cooc_rows, strict=True):
        in_playlists = float(statistics.playlist_counts[song])
        if in_playlists > 0:
            sums.add(targets, "cooccurrence_share", counts / in_playlists * scale)
        sums.add(targets, "cooccurrence_seeds", scale)
        sums.add(targets, _LIFT, counts / np.sqrt(max(in_playlists, 1.0)) * scale)
        sums.add(targets, _COOCCURRENCE_ANY, counts.astype(np.float64))
    if len(neighbour_ids):
        sums.add(neighbour_ids, "neighbour_playlists", neighbour_scores)
    summed = sums.over(ids)
    statistic_columns = [column[name] for name in _SUMMED]
    features[:, statistic_columns] = summed[:, : len(_SUMMED)]
    features[:, column["cooccurrence_log"]] = np.log1p(summed[:, _SUMMED_INDEX[_COOCCURRENCE_ANY]])
    features[:, column["cooccurrence_lift"]] = summed[:, _SUMMED_INDEX[_LIFT]] / np.sqrt(
        np.maximum(statistics.playlist_counts[ids], 1.0)
    )
    features[:, column["popularity"]] = np.log1p(statistics.plays[ids])

    artists = catalogue.artist_ids[ids]
    last_artist = catalogue.artist_ids[last]
    if last_artist >= 0:
        features[:, column["same_artist_last"]] = artists == last_artist
    context_artists = catalogue.artist_ids[np.asarray(recent, dtype=np.int64)]
    context_artists = context_artists[context_artists >= 0]
    if len(context_artists):
        # At most CONTEXT_LIMIT artists: one comparison each beats np.isin's sort.
        features[:, column["same_artist_context"]] = (artists[:, None] == context_artists).any(1)
    _tag_features(features, ids, recent, catalogue)
    return Candidates(song_ids=ids, features=features)


# The feature columns filled by summing statistics rows, then two running sums that other
# columns are derived from (cooccurrence_log, cooccurrence_lift).
_SUMMED: tuple[str, ...] = (
    "successor_share",
    "successor_log",
    "multi_step_share",
    "second_order_share",
    "second_order_log",
    "successor_any_share",
    "cooccurrence_share",
    "cooccurrence_seeds",
    "neighbour_playlists",
)
_COOCCURRENCE_ANY = "shared playlists with any context song"
_LIFT = "shared playlists over sqrt(the context song's playlists)"
_SUMMED_INDEX = {name: i for i, name in enumerate((*_SUMMED, _COOCCURRENCE_ANY, _LIFT))}


class _ColumnSums:
    """(target, column, value) triples, summed per (candidate, column) in one pass.

    Each `add` only keeps references: the per-row cost is a few list appends, and `over`
    does the array work once for all rows.
    """

    def __init__(self) -> None:
        self._targets: list[np.ndarray] = []
        self._columns: list[int] = []
        self._lengths: list[int] = []
        self._values: list[np.ndarray] = []

    def add(self, targets: np.ndarray, name: str, values: np.ndarray | float) -> None:
        """`values`: one per target, or one number for them all."""
        if isinstance(values, float):
            values = _same_value(len(targets), values)
        self._targets.append(targets)
        self._columns.append(_SUMMED_INDEX[name])
        self._lengths.append(len(targets))
        self._values.append(values)

    def over(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids), columns) float64 sums; targets that are not candidates are dropped."""
        width = len(_SUMMED_INDEX)
        if not self._targets:
            return np.zeros((len(ids), width))
        targets = np.concatenate(self._targets)
        columns = np.repeat(np.asarray(self._columns, dtype=np.intp), self._lengths)
        hit = np.isin(targets, ids)
        where = np.searchsorted(ids, targets)
        cells = where[hit] * width + columns[hit]
        values = np.concatenate(self._values)[hit]
        return np.bincount(cells, weights=values, minlength=len(ids) * width).reshape(-1, width)


_ONES = np.ones(1024)


def _same_value(length: int, value: float) -> np.ndarray:
    """`length` copies of `value` (a slice of a kept array of ones: no allocation wrapper)."""
    if length <= len(_ONES):
        return _ONES[:length] * value
    return np.full(length, value)


def _tag_features(
    features: np.ndarray, ids: np.ndarray, recent: list[int], catalogue: CatalogueArrays
) -> None:
    """same_tag_last and same_tag_context for every candidate."""
    sharing = catalogue.sharing_tags_with(ids, recent)
    features[:, FEATURE_INDEX["same_tag_last"]] = sharing[-1]
    features[:, FEATURE_INDEX["same_tag_context"]] = sharing.sum(axis=0, dtype=np.float32) / len(
        recent
    )
