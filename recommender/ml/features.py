"""Candidates and their features: the first stage of every recommendation.

Given the songs a listener gave (an ordered history, a set of seeds or one song), candidates
come from the playlist statistics (successors at gaps 1..5 of the recent songs, second-order
transitions, co-occurrence with every context song), from one exact FAISS search over the
Word2Vec vectors and from the most played songs. Each candidate gets one row of FEATURES;
the scorer (scorer.py) turns a row into a score with weights fitted per question.

Everything here is numpy on arrays loaded from one version's folder: the worker's evaluation
and the web workers call the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from recommender.ml.shared_arrays import arrays_map, arrays_save
from recommender.ml.sorted_sets import IdLookup, in_sorted, sorted_unique
from recommender.ml.statistics import PlaylistStatistics
from recommender.ml.vectors import SongVectors


class Question(StrEnum):
    """The three things a listener asks; each has its own fitted weights."""

    NEXT = "next"  # what to play after this ordered history
    NEXT_ONE = "next_one"  # the same after a single song (its own weights)
    CONTINUATION = "continuation"  # what belongs with this set of songs
    SIMILAR = "similar"  # what belongs with this one song


# One column per signal, in this order. "last" is the newest song of the context.
FEATURES: tuple[str, ...] = (
    "embedding_next",  # input(last) . output(candidate): Word2Vec's "played next to"
    "embedding_context",  # mean input(context) . output(candidate)
    "sounds_like",  # cosine(input(last), input(candidate))
    "sounds_like_context",  # mean cosine(input(context song), input(candidate))
    "has_vector",  # the candidate has a Word2Vec vector at all
    "successor_share",  # share of last's successors that were this candidate
    "successor_log",  # log(1 + times it followed last)
    "multi_step_share",  # sum over gaps 2..5 of share(song g back -> candidate) / gap
    "second_order_share",  # share of (previous, last)'s successors
    "second_order_log",  # log(1 + times it followed the pair)
    "successor_any_share",  # mean over context songs of share(song -> candidate)
    "cooccurrence_share",  # mean over context songs of shared playlists / song's playlists
    "cooccurrence_log",  # log(1 + shared playlists with any context song)
    "cooccurrence_seeds",  # share of the context songs it shares a playlist with
    "cooccurrence_lift",  # mean shared playlists / sqrt(song's playlists x candidate's)
    "neighbour_playlists",  # weight of the training playlists most like the context holding it
    "popularity",  # log(1 + training plays): the prior the caller can turn down
    "same_artist_last",
    "same_artist_context",
    "same_tag_last",  # shares a specific Last.fm tag (ml/tags.py) with the newest song
    "same_tag_context",  # share of the context songs it shares a specific tag with
)
FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}
EMBEDDING_FEATURES = frozenset(
    {"embedding_next", "embedding_context", "sounds_like", "sounds_like_context", "has_vector"}
)
# Facts about the songs themselves (and the popularity prior): neither Word2Vec nor playlist
# co-occurrence; the ablation keeps them on both sides.
CATALOGUE_FEATURES = frozenset(
    {"popularity", "same_artist_last", "same_artist_context", "same_tag_last", "same_tag_context"}
)

# How many candidates each source contributes (the first entries of each row, best first).
SUCCESSORS_TAKEN = 50
OTHER_GAPS_TAKEN = 15
SECOND_ORDER_TAKEN = 50
COOCCURRENCE_TAKEN = 50
COOCCURRENCE_TAKEN_PER_SEED = 25
OTHER_SEED_SUCCESSORS_TAKEN = 15
NEAREST_TAKEN = 50
NEIGHBOUR_PLAYLISTS = 30
NEIGHBOUR_TAKEN = 50
POPULAR_TAKEN = 20
CONTEXT_LIMIT = 5  # the newest songs of a longer history that shape the candidates
CATALOGUE_FILE = "catalogue.npz"


@dataclass(frozen=True)
class Candidates:
    """Candidate song ids (sorted, unique) and their feature rows."""

    song_ids: np.ndarray  # int64 (n,)
    features: np.ndarray  # float32 (n, len(FEATURES))

    def __len__(self) -> int:
        return len(self.song_ids)


@dataclass(frozen=True)
class CatalogueArrays:
    """Per-song facts the ranking needs besides the statistics (dense over song ids)."""

    artist_ids: np.ndarray  # int32 (catalogue_size,), -1 unknown
    recommendable: np.ndarray  # bool (catalogue_size,): False for placeholder rows
    tag_indptr: np.ndarray  # int64 (catalogue_size + 1,)
    tag_ids: np.ndarray  # int32: each song's specific tags, most specific first

    @property
    def size(self) -> int:
        return len(self.artist_ids)

    def save(self, folder: Path) -> Path:
        path = Path(folder) / CATALOGUE_FILE
        return arrays_save(
            path,
            {
                "artist_ids": self.artist_ids,
                "recommendable": self.recommendable,
                "tag_indptr": self.tag_indptr,
                "tag_ids": self.tag_ids,
            },
        )

    @classmethod
    def load(cls, folder: Path) -> CatalogueArrays:
        data = arrays_map(Path(folder) / CATALOGUE_FILE)
        catalogue = cls(
            artist_ids=data["artist_ids"].astype(np.int32, copy=False),
            recommendable=data["recommendable"].astype(bool, copy=False),
            tag_indptr=data["tag_indptr"].astype(np.int64, copy=False),
            tag_ids=data["tag_ids"].astype(np.int32, copy=False),
        )
        size = catalogue.size
        if (
            len(catalogue.recommendable) != size
            or len(catalogue.tag_indptr) != size + 1
            or int(catalogue.tag_indptr[-1]) != len(catalogue.tag_ids)
        ):
            raise ValueError("the catalogue arrays do not fit together")
        return catalogue

    @classmethod
    def build(
        cls,
        *,
        catalogue_size: int,
        artists: dict[int, str],
        tags: dict[int, list[int]],
        recommendable: set[int] | None = None,
    ) -> CatalogueArrays:
        """From song id -> artist key and song id -> ranked tag ids (songs missing: unknown)."""
        artist_ids = np.full(catalogue_size, -1, dtype=np.int32)
        numbers: dict[str, int] = {}
        for song, artist in artists.items():
            if 0 <= song < catalogue_size and artist:
                artist_ids[song] = numbers.setdefault(artist, len(numbers))
        lengths = np.zeros(catalogue_size, dtype=np.int64)
        for song, song_tags in tags.items():
            if 0 <= song < catalogue_size:
                lengths[song] = len(song_tags)
        indptr = np.zeros(catalogue_size + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        tag_ids = np.zeros(int(indptr[-1]), dtype=np.int32)
        for song, song_tags in tags.items():
            if 0 <= song < catalogue_size and song_tags:
                tag_ids[indptr[song] : indptr[song + 1]] = song_tags
        mask = np.ones(catalogue_size, dtype=bool)
        if recommendable is not None:
            mask[:] = False
            known = np.asarray([s for s in recommendable if 0 <= s < catalogue_size], np.int64)
            mask[known] = True
        return cls(artist_ids=artist_ids, recommendable=mask, tag_indptr=indptr, tag_ids=tag_ids)

    def tags_of(self, song: int) -> np.ndarray:
        if not 0 <= song < self.size:
            return self.tag_ids[:0]
        return self.tag_ids[self.tag_indptr[song] : self.tag_indptr[song + 1]]

    def tags_of_many(self, songs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(tag ids, position in `songs` of the song carrying each), in a few array operations."""
        starts = self.tag_indptr[songs]
        lengths = self.tag_indptr[songs + 1] - starts
        offsets = np.cumsum(lengths) - lengths
        total = int(lengths.sum())
        positions = np.arange(total) - np.repeat(offsets, lengths) + np.repeat(starts, lengths)
        return self.tag_ids[positions], np.repeat(np.arange(len(songs)), lengths)

    def sharing_tags_with(self, songs: np.ndarray, references: Sequence[int]) -> np.ndarray:
        """(len(references), len(songs)) bool: which songs carry a tag of each reference song.

        One pass for all references: each tag holds one bit per reference song carrying it,
        and each song ORs the bits of its tags.
        """
        out = np.zeros((len(references), len(songs)), dtype=bool)
        if not len(references) or not len(songs):
            return out
        if len(references) > 63:
            raise ValueError("at most 63 reference songs at once")
        starts = self.tag_indptr[songs]
        lengths = self.tag_indptr[songs + 1] - starts
        tags, _ = self.tags_of_many(songs)
        reference_tags = [self.tags_of(int(song)) for song in references]
        largest = max([int(t.max()) for t in reference_tags if len(t)], default=-1)
        if not len(tags) or largest < 0:
            return out
        bits = np.zeros(max(int(tags.max()), largest) + 1, dtype=np.int64)
        for position, own in enumerate(reference_tags):
            bits[own] |= np.int64(1) << position
        tagged = lengths > 0
        offsets = (np.cumsum(lengths) - lengths)[tagged]
        song_bits = np.zeros(len(songs), dtype=np.int64)
        song_bits[tagged] = np.bitwise_or.reduceat(bits[tags], offsets)
        shifts = np.arange(len(references), dtype=np.int64)[:, None]
        return ((song_bits[None, :] >> shifts) & 1).astype(bool)

    def sharing_a_tag(
        self, tags: np.ndarray, owners: np.ndarray, count: int, reference: np.ndarray
    ) -> np.ndarray:
        """Which of `count` songs (their tags_of_many) carry one of the `reference` tags."""
        if not len(reference) or not len(tags):
            return np.zeros(count, dtype=bool)
        wanted = np.zeros(int(max(tags.max(), reference.max())) + 1, dtype=bool)
        wanted[reference] = True
        return np.bincount(owners[wanted[tags]], minlength=count).astype(bool)


def candidates_build(
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
        neighbour_ids, neighbour_scores = statistics.neighbour_playlists(
            recent, limit=NEIGHBOUR_PLAYLISTS
        )
        if len(neighbour_ids) > NEIGHBOUR_TAKEN:
            best = np.argpartition(-neighbour_scores, NEIGHBOUR_TAKEN - 1)[:NEIGHBOUR_TAKEN]
            sources.append(neighbour_ids[best])
        else:
            sources.append(neighbour_ids)
    else:
        neighbour_ids, neighbour_scores = np.zeros(0, np.int64), np.zeros(0, np.float32)

    last_row = vectors.row_of(last)
    context_rows = [row for row in (vectors.row_of(song) for song in recent) if row >= 0]
    context_query = vectors.mean_query(context_rows)
    if question is Question.SIMILAR and last_row >= 0:
        sources.append(vectors.nearest_alike(vectors.query[last_row], NEAREST_TAKEN + 1))
    elif question is Question.CONTINUATION and context_query is not None:
        sources.append(vectors.nearest_next(context_query, NEAREST_TAKEN + len(recent)))
    elif last_row >= 0:
        sources.append(vectors.nearest_next(vectors.query[last_row], NEAREST_TAKEN + 1))
    sources.append(popular[: POPULAR_TAKEN + len(banned)])

    ids = sorted_unique(np.concatenate([np.asarray(s, dtype=np.int64) for s in sources]))
    ids = ids[(ids >= 0) & (ids < size)]
    if len(banned):
        ids = ids[~in_sorted(ids, banned)]
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
    summed = sums.over(ids, size)
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

    def over(self, ids: np.ndarray, universe: int) -> np.ndarray:
        """(len(ids), columns) float64 sums; targets that are not candidates are dropped."""
        width = len(_SUMMED_INDEX)
        if not self._targets:
            return np.zeros((len(ids), width))
        targets = np.concatenate(self._targets)
        columns = np.repeat(np.asarray(self._columns, dtype=np.intp), self._lengths)
        where, hit = IdLookup(ids, universe).find(targets)
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
