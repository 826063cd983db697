"""What the pages and the API get: the active version's ml.Recommender, with songs attached.

Thin on purpose: ranking, exclusions and the per-artist cap happen in ml.Recommender, the
code the worker evaluated. This module checks ids against the catalogue and turns song ids
into SongInfo.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from playlists.selectors import SongInfo
from recommender.ml.familiarity import DEFAULT_FAMILIARITY
from recommender.ml.ranked import Ranked
from recommender.serving.reasons import SongReason, reason_views
from recommender.serving.song_table import SongTable
from recommender.serving.state import ServingModel, serving_model


class UnknownSongs(Exception):
    """Requested song ids are not in the catalogue (for seeds: none is): the API answers 404."""

    def __init__(self, song_ids: Sequence[int]) -> None:
        self.song_ids = tuple(song_ids)
        listed = ", ".join(str(song_id) for song_id in self.song_ids)
        super().__init__(f"no song with id {listed}")


@dataclass(frozen=True, slots=True)
class ScoredSong:
    """A song of an answer and its score. The song's facts stay in the catalogue until asked:
    the API copies its encoded JSON (`song_json`), a page reads `song`."""

    song_id: int
    score: float
    reason: SongReason | None
    catalogue: SongTable
    # The song's encoded JSON when the answer already looked it up (answers do, to drop songs
    # the catalogue no longer has); otherwise read from the catalogue when asked.
    encoded: bytes | None = None

    @property
    def song(self) -> SongInfo:
        return self.catalogue[self.song_id]

    def song_json(self) -> bytes:
        return self.encoded if self.encoded is not None else self.catalogue.json_of(self.song_id)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """An answer: which version gave it, how (model or a labelled fallback), and the songs."""

    model_version: int
    source: str
    seeds: tuple[SongInfo, ...]
    results: tuple[ScoredSong, ...]
    # Seeds the model has no vector for; they were used through the playlist statistics only
    # (or, with no signal at all, by the popular fallback).
    unplaced_seeds: tuple[int, ...] = ()
    # Seed ids this version does not know, left out: the answer is the one for the others.
    unknown_seeds: tuple[int, ...] = ()


def _songs_known(model: ServingModel, song_ids: Iterable[int]) -> tuple[SongInfo, ...]:
    ids = list(song_ids)
    missing = [song_id for song_id in ids if song_id not in model.songs]
    if missing:
        raise UnknownSongs(missing)
    return tuple(model.songs[song_id] for song_id in ids)


def ids_in_catalogue(model: ServingModel, song_ids: Iterable[int]) -> list[int]:
    size = model.recommender.catalogue_size
    return [int(song_id) for song_id in song_ids if 0 <= song_id < size]


def _answer(
    model: ServingModel,
    seeds: tuple[SongInfo, ...],
    ranked: Ranked,
    *,
    unknown_seeds: tuple[int, ...] = (),
) -> Recommendation:
    songs = model.songs
    views = reason_views(ranked.reasons(), model=model, source=ranked.source)
    results: list[ScoredSong] = []
    for song_id, score, view in zip(
        ranked.song_ids.tolist(), ranked.scores.tolist(), views, strict=True
    ):
        encoded = songs.json_get(song_id)
        if encoded is not None:
            results.append(ScoredSong(song_id, score, view, songs, encoded))
    return Recommendation(
        model_version=model.version_id,
        source=ranked.source,
        seeds=seeds,
        results=tuple(results),
        unplaced_seeds=tuple(song.id for song in seeds if not model.has_vector(song.id)),
        unknown_seeds=unknown_seeds,
    )


@dataclass(frozen=True, slots=True)
class Seeds:
    """A request's seeds split into the songs this version knows and the ids it does not."""

    known: tuple[SongInfo, ...]
    unknown: tuple[int, ...]


def seeds_split(model: ServingModel, seeds: Sequence[int]) -> Seeds:
    """The seeds the version knows (in the order given, each once) and the unknown ids.

    Unknown: not in the catalogue, or ingested after this version was trained (the version
    has never heard of them). One unknown id among known ones leaves it out of the answer
    rather than failing it; UnknownSongs only when no seed is known.
    """
    ids = list(dict.fromkeys(seeds))
    size = model.recommender.catalogue_size
    unknown = tuple(s for s in ids if s not in model.songs or not 0 <= s < size)
    if len(unknown) == len(ids):
        raise UnknownSongs(unknown)
    known = tuple(model.songs[s] for s in ids if s not in unknown)
    return Seeds(known=known, unknown=unknown)


def songs_similar(
    *, song_id: int, k: int = 10, familiarity: float = DEFAULT_FAMILIARITY
) -> Recommendation:
    """The k songs that belong with one song (Recommender.similar).

    Raises NoActiveModel (no version serving) and UnknownSongs (id not in the catalogue).
    """
    return songs_recommend(seeds=[song_id], k=k, familiarity=familiarity)


def songs_recommend(
    *,
    seeds: Sequence[int],
    k: int = 10,
    exclude: Iterable[int] = (),
    max_per_artist: int | None = None,
    familiarity: float = DEFAULT_FAMILIARITY,
) -> Recommendation:
    """Songs that belong with a set of songs (Recommender.continuation; one seed: similar).

    1. Unknown seed ids are left out and listed in `unknown_seeds`; UnknownSongs only when
       no seed is known. Unknown ids in `exclude` are ignored.
    2. Seeds and `exclude` never appear in the results; at most `max_per_artist` songs per
       artist (compared case- and accent-insensitively) when given.
    3. `familiarity` (0..1) leans the list to long-tail (0) or well-known songs (1).
    """
    model = serving_model()
    split = seeds_split(model, seeds)
    ranked = model.recommender.continuation(
        [song.id for song in split.known],
        k,
        exclude=ids_in_catalogue(model, exclude),
        max_per_artist=max_per_artist,
        familiarity=familiarity,
    )
    return _answer(model, split.known, ranked, unknown_seeds=split.unknown)


def songs_next(
    *,
    history: Sequence[int],
    k: int = 10,
    exclude: Iterable[int] = (),
    max_per_artist: int | None = None,
    familiarity: float = DEFAULT_FAMILIARITY,
) -> Recommendation:
    """What to play after `history` (oldest first): Recommender.next.

    Unknown ids are left out of the history and listed in `unknown_seeds` (the answer is the
    one for the history without them); UnknownSongs only when no history song is known. The
    API refuses repeated ids before this. History songs and `exclude` never come back.
    """
    model = serving_model()
    split = seeds_split(model, history)
    history_songs = tuple(model.songs[s] for s in history if s not in split.unknown)
    ranked = model.recommender.next(
        [song.id for song in history_songs],
        k,
        exclude=ids_in_catalogue(model, exclude),
        max_per_artist=max_per_artist,
        familiarity=familiarity,
    )
    return _answer(model, split.known, ranked, unknown_seeds=split.unknown)


def song_context(*, song_id: int, limit: int = 10) -> tuple[list[ScoredSong], list[ScoredSong]]:
    """Songs most often played right before and right after a song (share of transitions)."""
    model = serving_model()
    _songs_known(model, [song_id])
    statistics = model.recommender.statistics
    if not 0 <= song_id < statistics.catalogue_size:
        return [], []
    successors = statistics.successors[0]
    predecessors = model.cached("predecessors", lambda: _Predecessors.of(model))
    after_ids, after_counts = successors.row(song_id, limit)
    before_ids, before_counts = predecessors.row(song_id, limit)

    def scored(ids: np.ndarray, counts: np.ndarray, total: float) -> list[ScoredSong]:
        total = total or 1.0
        return [
            ScoredSong(other, count / total, None, model.songs)
            for other, count in zip(ids.tolist(), counts.tolist(), strict=True)
            if other in model.songs
        ]

    return (
        scored(before_ids, before_counts, predecessors.total(song_id)),
        scored(after_ids, after_counts, successors.total(song_id)),
    )


@dataclass(frozen=True)
class _Predecessors:
    """The successor table read backwards: who was played right before a song.

    Only the pairs within each song's kept successors are there, so counts are lower bounds.
    """

    indptr: np.ndarray
    sources: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, model: ServingModel) -> _Predecessors:
        table = model.recommender.statistics.successors[0]
        sources = np.repeat(np.arange(table.rows, dtype=np.int32), np.diff(table.indptr))
        order = np.lexsort((-table.counts, table.targets))
        targets = table.targets[order]
        indptr = np.zeros(table.rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(targets, minlength=table.rows), out=indptr[1:])
        return cls(indptr=indptr, sources=sources[order], counts=table.counts[order])

    def row(self, song: int, limit: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self.indptr[song]), int(self.indptr[song + 1])
        end = min(end, start + limit)
        return self.sources[start:end], self.counts[start:end]

    def total(self, song: int) -> float:
        return float(self.counts[self.indptr[song] : self.indptr[song + 1]].sum())
