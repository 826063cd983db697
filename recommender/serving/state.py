"""The active model version, loaded once per process and swapped when another is activated.

Every web process keeps one `ServingModel` in memory: the version's `ml.Recommender` (vectors,
indexes, statistics, weights) and the song catalogue (id -> title, artist, tags) for display.
A request never touches the database on the hot path except for the active-version check,
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

import faiss
from django.conf import settings
from django.db import connections

from playlists.selectors import tag_names
from recommender import selectors
from recommender.artifacts import ArtifactsInvalid, artifacts_folder_for, manifest_verify
from recommender.ml.recommender import Recommender
from recommender.serving.song_table import SongTable

T = TypeVar("T")

logger = logging.getLogger(__name__)

LOAD_RETRY_SECONDS = 30.0
# How often a process asks which version is active, unless RECOMMENDER_ACTIVE_CHECK_SECONDS
# says otherwise: every web process of every server swaps within about this long.
ACTIVE_CHECK_SECONDS = 1.0


class NoActiveModel(Exception):
    """No version is active (or its artifacts cannot be read): the API answers 503."""


@dataclass(frozen=True)
class ServingModel:
    """Everything one version needs to answer, in memory. Built completely before it serves."""

    version_id: int
    key: selectors.ActiveVersionKey
    folder: Path
    songs: SongTable
    recommender: Recommender
    # Tag names by id, for the reasons' words: read with the catalogue, so that an answer
    # never needs the database (it must keep working while the database is down).
    tag_names: Mapping[int, str] = field(default_factory=dict)
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def size(self) -> int:
        """Songs with a vector."""
        return self.recommender.vectors.size

    def has_vector(self, song_id: int) -> bool:
        return self.recommender.vectors.row_of(song_id) >= 0

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """A value computed once per loaded version (the map, the "played before" index)."""
        with self._cache_lock:
            if name not in self._cache:
                self._cache[name] = build()
            return cast(T, self._cache[name])


def _model_load(key: selectors.ActiveVersionKey) -> ServingModel:
    """Read one version's artifacts and the catalogue; raises when anything is missing."""
    folder = Path(key.artifacts_path) if key.artifacts_path else artifacts_folder_for(key.id)
    # Verified against the manifest: a folder copied in half or edited by hand never serves.
    manifest_verify(folder)
    # A web process answers one small query at a time; FAISS's OpenMP threads only fight the
    # other web workers for the cores (a plain `gunicorn config.wsgi` was 10x slower than
    # with OMP_NUM_THREADS=1, issue 10). Set here, where serving loads an index, so that every
    # host of config.wsgi gets it. Training runs in the Celery worker, which never loads a
    # serving model, and keeps its threads. (faiss is otherwise imported in ml/index.py only;
    # that package belongs to the ranking work, so the call lives here for now.) numpy's
    # OpenBLAS is left alone: the ranking's products (a few hundred candidates) stay below the
    # size where it hands work to its threads, measured on the real model (issue 10);
    # tests/serving/test_plain_gunicorn_serves_single_threaded.py fails if a request's path
    # ever makes them work, and threadpoolctl's threadpool_limits(1) here would then be the fix.
    faiss.omp_set_num_threads(1)
    try:
        recommender = Recommender.load(folder)
    except (OSError, ValueError, KeyError) as exc:
        # Files that match the manifest but do not fit together (or an older format).
        raise ArtifactsInvalid(f"{folder}: {type(exc).__name__}: {exc}") from exc
    return ServingModel(
        version_id=key.id,
        key=key,
        folder=folder,
        songs=_catalogue(),
        recommender=recommender,
        tag_names=tag_names(),
    )


_catalogue_lock = threading.Lock()
_catalogue_cache: tuple[tuple[object, ...], SongTable] | None = None


def _catalogue() -> SongTable:
    """The song catalogue, re-read only when an ingest changed it.

    Kept across version swaps: reading 75k songs with their tags takes seconds, and the table
    that gunicorn's master built before forking stays shared by its workers only while it is
    not replaced.
    """
    global _catalogue_cache
    with _catalogue_lock:
        stamp = selectors.catalogue_stamp()
        if _catalogue_cache is None or _catalogue_cache[0] != stamp:
            _catalogue_cache = (stamp, SongTable.build(selectors.catalogue_songs()))
        return _catalogue_cache[1]


def catalogue_table() -> SongTable:
    """The catalogue table of the served version, or the current one when none is loaded.

    Pages that read a song from the database order its tags by this table (song_tags.py);
    with a version loaded that costs no query, and the table is the one its answers use.
    """
    model = _state.model
    return model.songs if model is not None else _catalogue()


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
    return float(getattr(settings, "RECOMMENDER_ACTIVE_CHECK_SECONDS", ACTIVE_CHECK_SECONDS))


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
