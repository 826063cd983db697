"""The active model version, loaded once per process, and the recommendations it answers.

Every web process keeps one `ServingModel` in memory: the version's FAISS index, its query
vectors, the whole song catalogue (id -> title, artist, tags) and the fallback rankings. A
request never touches the database on the hot path except for the active-version check,
which runs at most once per `RECOMMENDER_ACTIVE_CHECK_SECONDS` per process.

When an admin activates another version, the first request after the next check loads the new
version completely and only then swaps the module-level reference; requests in other threads
keep using the old object meanwhile, so no request ever sees a half-loaded model.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connections

from playlists.selectors import SongInfo
from playlists.text import search_key
from recommender import selectors
from recommender.artifacts import (
    POPULAR_FILE,
    SUCCESSORS_FILE,
    ArtifactsInvalid,
    artifacts_folder_for,
    manifest_verify,
)
from recommender.embeddings import SongEmbeddings
from recommender.index import SongIndex

logger = logging.getLogger(__name__)

SOURCE_MODEL = "model"
SOURCE_SUCCESSORS = "fallback-successors"
SOURCE_POPULAR = "fallback-popular"

LOAD_RETRY_SECONDS = 30.0
MAX_K = 100
MAX_SEEDS = 50


class NoActiveModel(Exception):
    """No version is active (or its artifacts cannot be read): the API answers 503."""


class UnknownSongs(Exception):
    """Some requested song ids are not in the catalogue: the API answers 404."""

    def __init__(self, song_ids: Sequence[int]) -> None:
        self.song_ids = tuple(song_ids)
        listed = ", ".join(str(song_id) for song_id in self.song_ids)
        super().__init__(f"no song with id {listed}")


@dataclass(frozen=True, slots=True)
class ScoredSong:
    song: SongInfo
    score: float


@dataclass(frozen=True, slots=True)
class Recommendation:
    """An answer: which version gave it, how (model or a labelled fallback), and the songs."""

    model_version: int
    source: str
    seeds: tuple[SongInfo, ...]
    results: tuple[ScoredSong, ...]
    # Seeds the model has no vector for (never in a training playlist); they were used only by
    # the fallback, or ignored when other seeds could be placed.
    unplaced_seeds: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MapPoints:
    """A 2D projection of a sample of the version's vectors, for the map page."""

    model_version: int
    tags: tuple[str, ...]
    ids: tuple[int, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    tag_index: tuple[int, ...]
    titles: tuple[str, ...]
    artists: tuple[str, ...]
    explained_variance: tuple[float, float]


@dataclass(frozen=True)
class Transitions:
    """(seed, next, times) triples with a lookup from either end."""

    seed: np.ndarray
    next: np.ndarray
    times: np.ndarray
    by_next: np.ndarray  # permutation: the triples ordered by (next, -times)
    next_sorted: np.ndarray  # next[by_next], for the binary search

    @classmethod
    def from_table(cls, table: np.ndarray) -> Transitions:
        table = np.asarray(table, dtype=np.int64).reshape(-1, 3)
        # The artifact is sorted by seed with the most frequent successors first; keep that.
        order = np.lexsort((-table[:, 2], table[:, 0]))
        seed, nxt, times = (table[order, column].astype(np.int32) for column in range(3))
        by_next = np.lexsort((-times, nxt)).astype(np.int32)
        return cls(seed=seed, next=nxt, times=times, by_next=by_next, next_sorted=nxt[by_next])

    def after(self, song_id: int) -> list[tuple[int, int]]:
        """(next song, times) for the songs played right after `song_id`, most often first."""
        start, end = np.searchsorted(self.seed, [song_id, song_id + 1])
        return list(zip(self.next[start:end].tolist(), self.times[start:end].tolist(), strict=True))

    def before(self, song_id: int) -> list[tuple[int, int]]:
        """(previous song, times) for songs played right before `song_id`, most often first.

        Only pairs within each seed's top successors are stored, so this is a lower bound.
        """
        start, end = np.searchsorted(self.next_sorted, [song_id, song_id + 1])
        rows = self.by_next[start:end]
        return list(zip(self.seed[rows].tolist(), self.times[rows].tolist(), strict=True))


@dataclass(frozen=True)
class ServingModel:
    """Everything one version needs to answer, in memory. Built completely before it serves."""

    version_id: int
    key: selectors.ActiveVersionKey
    folder: Path
    songs: dict[int, SongInfo]
    index: SongIndex
    query_vectors: np.ndarray
    row_of: dict[int, int]
    # Song ids, most played in the training corpus first, and their plays (int32 arrays).
    popular_ids: np.ndarray
    popular_plays: np.ndarray
    # Who came right after whom in the training playlists, as three parallel int32 arrays
    # sorted by `seed` (most frequent first within a seed), and the same sorted by `next` for
    # "played right before". Arrays, not dicts of tuples: ~1M pairs cost 12 MB, not ~150 MB.
    transitions: Transitions
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.row_of)

    def has_vector(self, song_id: int) -> bool:
        return song_id in self.row_of


def _model_load(key: selectors.ActiveVersionKey) -> ServingModel:
    """Read one version's artifacts and the catalogue; raises when anything is missing."""
    folder = Path(key.artifacts_path) if key.artifacts_path else artifacts_folder_for(key.id)
    # Verified against the manifest: a folder copied in half or edited by hand never serves.
    manifest_verify(folder)
    embeddings = SongEmbeddings.load(folder)
    index = SongIndex.load(folder)
    # The fallback tables are read as arrays: serving needs range lookups, not Python tuples.
    popular = np.load(folder / POPULAR_FILE, allow_pickle=False).reshape(-1, 2)
    successors = np.load(folder / SUCCESSORS_FILE, allow_pickle=False).reshape(-1, 3)
    songs = _catalogue()
    known = np.isin(popular[:, 0], np.fromiter(songs, dtype=np.int64, count=len(songs)))
    popular = popular[known]
    song_ids = np.asarray(embeddings.song_ids, dtype=np.int64).tolist()
    return ServingModel(
        version_id=key.id,
        key=key,
        folder=folder,
        songs=songs,
        index=index,
        # Only the query side is kept: the index holds its own copy of the candidate vectors.
        query_vectors=np.ascontiguousarray(embeddings.query_vectors, dtype=np.float32),
        row_of={song_id: row for row, song_id in enumerate(song_ids)},
        popular_ids=popular[:, 0].astype(np.int32),
        popular_plays=popular[:, 1].astype(np.int32),
        transitions=Transitions.from_table(successors),
    )


_catalogue_lock = threading.Lock()
_catalogue_cache: tuple[tuple[object, ...], dict[int, SongInfo]] | None = None


def _catalogue() -> dict[int, SongInfo]:
    """The song catalogue, re-read only when an ingest changed it.

    Kept across version swaps: reading 75k songs with their tags takes seconds, and a second
    copy during a swap would cost tens of MB per worker that Python rarely gives back.
    """
    global _catalogue_cache
    with _catalogue_lock:
        stamp = selectors.catalogue_stamp()
        if _catalogue_cache is None or _catalogue_cache[0] != stamp:
            _catalogue_cache = (stamp, selectors.catalogue_songs())
        return _catalogue_cache[1]


class _State:
    """The process-wide serving slot. `model` is replaced, never mutated."""

    def __init__(self) -> None:
        self.model: ServingModel | None = None
        self.checked_at = float("-inf")
        self.error = ""
        self.lock = threading.Lock()
        # A version whose files could not be loaded is retried after LOAD_RETRY_SECONDS, not
        # on every check: each attempt reads and hashes the whole folder on a request thread.
        self.failed_key: selectors.ActiveVersionKey | None = None
        self.failed_at = float("-inf")


_state = _State()


def _check_interval() -> float:
    return float(getattr(settings, "RECOMMENDER_ACTIVE_CHECK_SECONDS", 1.0))


def serving_model() -> ServingModel:
    """The model this process serves, reloaded when another version has been activated.

    1. Within the check interval: return the cached object (no database, no lock).
    2. Otherwise one thread asks the database which version is active; other threads keep
       answering from the current object meanwhile (or wait, if there is none yet).
    3. A different version is loaded completely, then swapped in with one assignment.
    Raises NoActiveModel when no version is active or the active one cannot be loaded.
    """
    model = _state.model
    if time.monotonic() - _state.checked_at < _check_interval():
        if model is None:
            raise NoActiveModel(_state.error or "no model version is active yet")
        return model
    if not _state.lock.acquire(blocking=model is None):
        return model  # type: ignore[return-value]  # not None: blocking was False
    swapped = False
    try:
        # Another thread may have refreshed while this one waited for the lock.
        if time.monotonic() - _state.checked_at >= _check_interval():
            swapped = _refresh()
    finally:
        _state.lock.release()
    if swapped:
        del model  # this frame's reference to the replaced version
        _freed_memory_return()
    if _state.model is None:
        raise NoActiveModel(_state.error or "no model version is active yet")
    return _state.model


def _refresh() -> bool:
    """Ask which version is active and load it if it is new; True when a version was replaced."""
    current = _state.model
    try:
        key = selectors.active_version_key()
    except Exception:
        # The database is away: keep answering from memory, ask again after the interval.
        logger.warning("active model check failed; still serving the loaded model", exc_info=True)
        if current is None:
            _state.error = "the database could not be reached to find the active model"
        _state.checked_at = time.monotonic()
        return False
    swapped = False
    if key is None:
        _state.model = None
        _state.error = "no model version is active yet"
    elif current is not None and current.key == key:
        _state.error = ""
    elif not (
        key == _state.failed_key and time.monotonic() - _state.failed_at < LOAD_RETRY_SECONDS
    ):
        try:
            loaded = _model_load(key)
        except Exception as exc:
            logger.exception("could not load model version %s", key.id)
            _state.failed_key, _state.failed_at = key, time.monotonic()
            # Keep answering from the previous version (if any) rather than fail every request;
            # the error is logged and the load is retried after LOAD_RETRY_SECONDS.
            _state.error = _load_error(key.id, exc, current)
        else:
            _state.model = loaded
            _state.error = ""
            logger.info("serving model version %s (%s songs placed)", key.id, loaded.size)
            swapped = current is not None
    _state.checked_at = time.monotonic()
    return swapped


def _freed_memory_return() -> None:
    """Hand the memory of a replaced version back to the operating system (glibc only).

    Two versions coexist for a moment during a swap; glibc keeps the freed heap for reuse
    instead of returning it, so each worker would stay ~90 MB larger after its first swaps
    (bench/soak.py measured 176 MB -> 263 MB). malloc_trim returns it (back to ~172 MB).
    """
    # Not glibc (musl, macOS): nothing to trim, the memory is reused later.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _load_error(version_id: int, exc: Exception, current: ServingModel | None) -> str:
    # For API clients and the health check: what is wrong, not where (paths stay in the log).
    if isinstance(exc, ArtifactsInvalid | OSError):
        why = "its files are missing or damaged (see the server log)"
    else:
        why = f"{type(exc).__name__} (see the server log)"
    text = f"the active model version {version_id} could not be loaded: {why}"
    if current is not None:
        text += f"; version {current.version_id} answers meanwhile"
    return text


def serving_status() -> tuple[int | None, str]:
    """(version id served by this process, or None; what is wrong, or "") for the health check.

    A version id with a problem means the process answers from an older version because the
    active one could not be loaded.
    """
    try:
        model = serving_model()
    except NoActiveModel as exc:
        return None, str(exc)
    return model.version_id, _state.error


def serving_warm() -> int | None:
    """Load the active version now (e.g. when a web worker starts), so no request waits for it.

    Returns the loaded version id, or None when there is nothing to serve yet (logged, not
    raised: a worker must start even before the first model exists).
    """
    try:
        version_id, why = serving_status()
    finally:
        # Called outside a request: nothing else would close this thread's connections.
        connections.close_all()
    if version_id is None:
        logger.warning("no model loaded at start: %s", why)
    return version_id


def serving_reset() -> None:
    """Forget the loaded model (tests start every case from a cold process state)."""
    global _catalogue_cache
    with _state.lock, _catalogue_lock:
        _state.model = None
        _state.checked_at = float("-inf")
        _state.error = ""
        _state.failed_key, _state.failed_at = None, float("-inf")
        _catalogue_cache = None


def _songs_known(model: ServingModel, song_ids: Iterable[int]) -> tuple[SongInfo, ...]:
    ids = list(song_ids)
    missing = [song_id for song_id in ids if song_id not in model.songs]
    if missing:
        raise UnknownSongs(missing)
    return tuple(model.songs[song_id] for song_id in ids)


def _artist_key(song: SongInfo) -> str:
    return search_key(song.artist)


def _take(
    model: ServingModel,
    candidates: Iterable[tuple[int, float]],
    *,
    k: int,
    banned: set[int],
    max_per_artist: int | None,
    per_artist: Counter[str],
    out: list[ScoredSong],
) -> None:
    """Append candidates to `out` until it holds k songs, honouring exclusions and artists."""
    for song_id, score in candidates:
        if song_id < 0 or song_id in banned:
            continue
        song = model.songs.get(song_id)
        if song is None:
            continue
        if max_per_artist is not None:
            artist = _artist_key(song)
            if per_artist[artist] >= max_per_artist:
                continue
            per_artist[artist] += 1
        banned.add(song_id)
        out.append(ScoredSong(song=song, score=score))
        if len(out) >= k:
            return


def _nearest(
    model: ServingModel,
    query: np.ndarray,
    *,
    k: int,
    banned: set[int],
    max_per_artist: int | None,
) -> list[ScoredSong]:
    """The k best songs by inner product with `query`, asking FAISS for more when filtered."""
    total = model.index.size
    fetch = min(total, k + len(banned) + (k if max_per_artist is not None else 0))
    while True:
        scores, ids = model.index.search(query.reshape(1, -1), fetch)
        out: list[ScoredSong] = []
        _take(
            model,
            zip(ids[0].tolist(), scores[0].tolist(), strict=True),
            k=k,
            banned=set(banned),
            max_per_artist=max_per_artist,
            per_artist=Counter(),
            out=out,
        )
        if len(out) >= k or fetch >= total:
            return out
        fetch = min(total, fetch * 4)


def _popular_candidates(model: ServingModel, tags: set[str]) -> Iterator[tuple[int, float]]:
    """Popular songs as (id, plays relative to the most played), those sharing a tag first."""
    if not len(model.popular_ids):
        return
    top = float(model.popular_plays[0]) or 1.0
    chunk = 2_000
    passes = (True, False) if tags else (False,)
    for tagged_only in passes:
        for start in range(0, len(model.popular_ids), chunk):
            ids = model.popular_ids[start : start + chunk].tolist()
            plays = model.popular_plays[start : start + chunk].tolist()
            for song_id, played in zip(ids, plays, strict=True):
                if tagged_only and not tags.intersection(model.songs[song_id].tags):
                    continue
                yield song_id, played / top


def _fallback(
    model: ServingModel,
    seeds: Sequence[SongInfo],
    *,
    k: int,
    banned: set[int],
    max_per_artist: int | None,
) -> tuple[str, list[ScoredSong]]:
    """For seeds the model cannot place: what followed them in playlists, else popular songs.

    Successor scores are the share of the seeds' observed transitions; popular scores are
    plays relative to the most played song. Popular songs sharing a seed's tag come first.
    """
    counts: Counter[int] = Counter()
    for seed in seeds:
        for nxt, n in model.transitions.after(seed.id):
            counts[nxt] += n
    out: list[ScoredSong] = []
    if counts:
        total = float(sum(counts.values()))
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        _take(
            model,
            ((song_id, n / total) for song_id, n in ranked),
            k=k,
            banned=set(banned),
            max_per_artist=max_per_artist,
            per_artist=Counter(),
            out=out,
        )
        if out:
            return SOURCE_SUCCESSORS, out
    _take(
        model,
        _popular_candidates(model, {tag for seed in seeds for tag in seed.tags}),
        k=k,
        banned=set(banned),
        max_per_artist=max_per_artist,
        per_artist=Counter(),
        out=out,
    )
    return SOURCE_POPULAR, out


def songs_similar(*, song_id: int, k: int = 10) -> Recommendation:
    """The k songs nearest to one song, or a labelled fallback when the model cannot place it.

    Raises NoActiveModel (no version serving) and UnknownSongs (id not in the catalogue).
    """
    return songs_recommend(seeds=[song_id], k=k)


def songs_recommend(
    *,
    seeds: Sequence[int],
    k: int = 10,
    exclude: Iterable[int] = (),
    max_per_artist: int | None = None,
) -> Recommendation:
    """Continue a playlist: songs near the normalised mean of the seeds' query vectors.

    1. Unknown seed ids raise UnknownSongs; unknown ids in `exclude` are ignored.
    2. Seeds without a vector are reported in `unplaced_seeds`; when none can be placed the
       answer comes from `_fallback`, labelled by its source.
    3. Seeds and `exclude` never appear in the results; at most `max_per_artist` songs per
       artist (compared case- and accent-insensitively) when given.
    """
    model = serving_model()
    seed_songs = _songs_known(model, dict.fromkeys(seeds))
    banned = {song.id for song in seed_songs}
    banned.update(exclude)
    placed = [song.id for song in seed_songs if song.id in model.row_of]
    unplaced = tuple(song.id for song in seed_songs if song.id not in model.row_of)
    if placed:
        rows = [model.row_of[song_id] for song_id in placed]
        query = model.query_vectors[rows[0]] if len(rows) == 1 else _mean_direction(model, rows)
        results = _nearest(model, query, k=k, banned=banned, max_per_artist=max_per_artist)
        source = SOURCE_MODEL
    else:
        source, results = _fallback(
            model, seed_songs, k=k, banned=banned, max_per_artist=max_per_artist
        )
    return Recommendation(
        model_version=model.version_id,
        source=source,
        seeds=seed_songs,
        results=tuple(results),
        unplaced_seeds=unplaced,
    )


def _mean_direction(model: ServingModel, rows: list[int]) -> np.ndarray:
    mean = model.query_vectors[rows].mean(axis=0)
    norm = float(np.linalg.norm(mean))
    # Opposite seeds can cancel out; any seed's own direction is then as good as another.
    if norm < 1e-6:
        return model.query_vectors[rows[0]]
    return (mean / norm).astype(np.float32)


def song_context(*, song_id: int, limit: int = 10) -> tuple[list[ScoredSong], list[ScoredSong]]:
    """Songs most often played right before and right after a song (share of transitions)."""
    model = serving_model()
    _songs_known(model, [song_id])

    def scored(pairs: Sequence[tuple[int, int]]) -> list[ScoredSong]:
        total = float(sum(n for _, n in pairs)) or 1.0
        return [
            ScoredSong(song=model.songs[other], score=n / total)
            for other, n in pairs[:limit]
            if other in model.songs
        ]

    return scored(model.transitions.before(song_id)), scored(model.transitions.after(song_id))


# Last.fm tags mix genres with opinions ("favorites", "love", "awesome"), and almost every song
# is tagged "rock" or "pop" first; the map colours songs by genre instead, the broad ones only
# when no specific genre is among a song's first tags.
GENRES: dict[str, str] = {
    "hip-hop": "hip-hop",
    "hip hop": "hip-hop",
    "rap": "hip-hop",
    "rnb": "r&b / soul",
    "r&b": "r&b / soul",
    "soul": "r&b / soul",
    "rhythm and blues": "r&b / soul",
    "funk": "r&b / soul",
    "country": "country",
    "jazz": "jazz",
    "smooth jazz": "jazz",
    "metal": "metal / hard rock",
    "heavy metal": "metal / hard rock",
    "hard rock": "metal / hard rock",
    "alternative": "alternative / indie",
    "alternative rock": "alternative / indie",
    "indie": "alternative / indie",
    "indie rock": "alternative / indie",
    "classic rock": "classic rock",
    "dance": "dance / electronic",
    "electronic": "dance / electronic",
    "electronica": "dance / electronic",
    "christian": "christian",
    "latin": "latin",
    "folk": "folk / acoustic",
    "acoustic": "folk / acoustic",
    "blues": "blues",
}
BROAD_GENRES = {"rock": "rock", "pop": "pop", "pop rock": "pop", "top 40": "pop"}
GENRE_TAGS_CONSIDERED = 5


def main_genre(tags: Sequence[str]) -> str:
    """The genre a song is coloured by on the map ("" when its tags name none)."""
    first = tags[:GENRE_TAGS_CONSIDERED]
    for tag in first:
        if tag in GENRES:
            return GENRES[tag]
    for tag in first:
        if tag in BROAD_GENRES:
            return BROAD_GENRES[tag]
    return ""


def map_points(*, sample_size: int = 5_000) -> MapPoints:
    """PCA of the query vectors of the most played songs, computed once per loaded version."""
    model = serving_model()
    with model._cache_lock:
        cached = model._cache.get("map")
        if isinstance(cached, MapPoints):
            return cached
        ids = [song_id for song_id in model.popular_ids.tolist() if song_id in model.row_of]
        ids = ids[:sample_size]
        if not ids:
            ids = list(model.row_of)[:sample_size]
        vectors = model.query_vectors[[model.row_of[song_id] for song_id in ids]].astype(np.float64)
        centred = vectors - vectors.mean(axis=0)
        if len(ids) >= 2:
            _, singular, components = np.linalg.svd(centred, full_matrices=False)
            coords = centred @ components[:2].T
            variance = singular**2
            explained = variance[:2] / variance.sum() if variance.sum() else np.zeros(2)
        else:
            coords = np.zeros((len(ids), 2))
            explained = np.zeros(2)
        if coords.shape[1] < 2:
            coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
            explained = np.pad(explained, (0, 2 - len(explained)))
        main_tags = [main_genre(model.songs[song_id].tags) for song_id in ids]
        tag_counts = Counter(tag for tag in main_tags if tag)
        # The most common genres get their own colour; the rest share "other".
        tags = tuple(tag for tag, _ in tag_counts.most_common(11))
        position = {tag: i for i, tag in enumerate(tags)}
        points = MapPoints(
            model_version=model.version_id,
            tags=(*tags, "other / untagged"),
            ids=tuple(ids),
            x=tuple(round(float(value), 4) for value in coords[:, 0]),
            y=tuple(round(float(value), 4) for value in coords[:, 1]),
            tag_index=tuple(position.get(tag, len(tags)) for tag in main_tags),
            titles=tuple(model.songs[song_id].title for song_id in ids),
            artists=tuple(model.songs[song_id].artist for song_id in ids),
            explained_variance=(round(float(explained[0]), 4), round(float(explained[1]), 4)),
        )
        model._cache["map"] = points
        return points
