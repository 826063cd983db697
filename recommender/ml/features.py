"""Candidates and their features: the first stage of every recommendation.

Given the songs a listener gave (an ordered history, a set of seeds or one song), candidates
come from the playlist statistics (successors at gaps 1..5 of the recent songs, second-order
transitions, co-occurrence with every context song), from the Word2Vec neighbours (the
newest song's row of the version's neighbour tables, or one FAISS search for a set of seeds)
and from the most played songs. Each candidate gets one row of FEATURES;
the scorer (scorer.py) turns a row into a score with weights fitted per question.

The counting is compiled (candidate_kernel.py) over arrays loaded from one version's folder;
the worker's evaluation and the web workers call the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from recommender.ml.candidate_kernel import (
    CONTEXT_LIMIT,
    FEATURES,
    NEAREST_TAKEN,
    POPULAR_TAKEN,
    QUESTION_CONTINUATION,
    QUESTION_NEXT,
    QUESTION_NEXT_ONE,
    QUESTION_SIMILAR,
    candidates_compute,
    context_queries,
    table_strength,
)
from recommender.ml.reason_kernel import kind_shares, strongest_rows
from recommender.ml.shared_arrays import arrays_map, arrays_save, readonly
from recommender.ml.statistics import PlaylistStatistics
from recommender.ml.vectors import SongVectors


class Question(StrEnum):
    """The three things a listener asks; each has its own fitted weights."""

    NEXT = "next"  # what to play after this ordered history
    NEXT_ONE = "next_one"  # the same after a single song (its own weights)
    CONTINUATION = "continuation"  # what belongs with this set of songs
    SIMILAR = "similar"  # what belongs with this one song


FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}
EMBEDDING_FEATURES = frozenset(
    {"embedding_next", "embedding_context", "sounds_like", "sounds_like_context", "has_vector"}
)
# Facts about the songs themselves (and the popularity prior): neither Word2Vec nor playlist
# co-occurrence; the ablation keeps them on both sides.
CATALOGUE_FEATURES = frozenset(
    {"popularity", "same_artist_last", "same_artist_context", "same_tag_last", "same_tag_context"}
)

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

    @cached_property
    def kernel_arrays(self) -> tuple[Any, ...]:
        """recommendable, artist_ids, tag_indptr, tag_ids and one more than the largest tag
        id, as candidate_kernel.candidates_compute takes them."""
        return (
            readonly(self.recommendable, np.bool_),
            readonly(self.artist_ids, np.int32),
            readonly(self.tag_indptr, np.int64),
            readonly(self.tag_ids, np.int32),
            int(self.tag_ids.max()) + 1 if len(self.tag_ids) else 0,
        )

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

    Candidates are the first entries of: the successors of the newest song, those at gaps
    2..5 of the songs before it (next questions), the second-order row of the last two
    songs, each context song's co-occurrence and successor rows, the songs of the training
    playlists most like the context, the Word2Vec neighbours of the newest song (or of the
    context's mean, for a continuation) and the most played songs. `banned` (sorted int64
    ids) never becomes a candidate: the context itself and what the caller excludes.
    `popular` is the popularity ranking (most played first). The counting is compiled
    (candidate_kernel.py); this function does the FAISS part and hands over the arrays.
    """
    recent = np.asarray(context[-CONTEXT_LIMIT:], dtype=np.int64)
    last_row = vectors.row_of(int(recent[-1]))
    nearest = _NO_SONGS
    if question is Question.CONTINUATION:
        _, context_query = context_queries(recent, *vectors.kernel_arrays[:2])
        if len(context_query):
            nearest = vectors.nearest_next(context_query, NEAREST_TAKEN + len(recent))
    elif question is Question.SIMILAR and last_row >= 0:
        nearest = vectors.nearest_alike_of_row(last_row, NEAREST_TAKEN + 1)
    elif last_row >= 0:
        nearest = vectors.nearest_next_of_row(last_row, NEAREST_TAKEN + 1)
    ids, features = candidates_compute(
        recent,
        _QUESTION_NUMBER[question],
        np.array(nearest, dtype=np.int64),
        popular[: POPULAR_TAKEN + len(banned)],
        banned,
        *statistics.kernel_arrays,
        *catalogue.kernel_arrays,
        *vectors.kernel_arrays,
    )
    return Candidates(song_ids=ids, features=features)


_NO_SONGS = np.zeros(0, dtype=np.int64)
_QUESTION_NUMBER = {
    Question.NEXT: QUESTION_NEXT,
    Question.NEXT_ONE: QUESTION_NEXT_ONE,
    Question.CONTINUATION: QUESTION_CONTINUATION,
    Question.SIMILAR: QUESTION_SIMILAR,
}


_compiled = False


def compile_ahead() -> None:
    """Compile the candidate stage (or load it from numba's on-disk cache) now, once per
    process, so that no listener's request waits for it: a few candidate sets and reasons
    on a tiny made-up catalogue, through the same calls and array types as a real version."""
    global _compiled
    if _compiled:
        return
    from recommender.ml.embeddings import SongEmbeddings
    from recommender.ml.statistics import statistics_build

    size = 6
    statistics = statistics_build(
        playlists=[np.array([0, 1, 2, 3]), np.array([2, 1, 4, 5])], catalogue_size=size
    )
    rng = np.random.default_rng(0)
    vectors = SongVectors.from_embeddings(
        SongEmbeddings(
            song_ids=np.arange(size, dtype=np.int64),
            query_vectors=rng.normal(size=(size, 4)).astype(np.float32),
            candidate_vectors=rng.normal(size=(size, 4)).astype(np.float32),
        ),
        catalogue_size=size,
    )
    catalogue = CatalogueArrays.build(
        catalogue_size=size, artists={0: "a", 1: "b"}, tags={0: [0, 1], 2: [1]}
    )
    popular = np.arange(size, dtype=np.int64)
    for question, context in (
        (Question.SIMILAR, [1]),
        (Question.NEXT_ONE, [1]),
        (Question.NEXT, [0, 1, 2]),
        (Question.CONTINUATION, [0, 2]),
    ):
        candidates_build(
            context=context,
            question=question,
            statistics=statistics,
            vectors=vectors,
            catalogue=catalogue,
            banned=np.unique(np.asarray(context, dtype=np.int64)),
            popular=popular,
        )
    for tables in statistics.reason_tables.values():
        table_strength(np.array([0, 1], dtype=np.int64), np.array([2, 3], dtype=np.int64), *tables)
    # The reasons' kernels, with the array types a fitted scorer and a candidate set have.
    kinds = np.arange(len(FEATURES), dtype=np.int64) % 2
    ones = np.ones(len(FEATURES), dtype=np.float32)
    kind_shares(np.ones((2, len(FEATURES)), dtype=np.float32), ones, ones, ones, kinds, 2)
    strongest_rows(np.zeros((2, 3)))
    _compiled = True
