"""A model version's files on disk: layout, atomic writing, a verified manifest, loading.

Layout of `RECOMMENDER_ARTIFACTS_DIR/v<ID>/` (immutable once written):

    manifest.json          version id, hyperparameters, metrics, every other file's size + sha256
    song_ids.npy           int64 (n,): the songs that have a vector, row order of the matrices
    query_vectors.npy      float32 (n, d), L2-normalised: how a seed song is looked up
    candidate_vectors.npy  float32 (n, d): what candidates are scored by (what the index holds)
    embeddings.json        training figures written by SongEmbeddings.save
    songs.faiss            exact inner-product index over candidate_vectors, FAISS ids = song ids
    popular.npy            int64 (p, 2): (song id, plays in the training corpus), most played first
    successors.npy         int64 (m, 3): (song id, next song id, times), per song most frequent
                           first, at most SUCCESSORS_PER_SONG rows per song

The folder is written under a temporary name in the same parent and moved into place with one
os.rename, so a reader sees a complete folder or none, never a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from recommender.embeddings import SongEmbeddings
from recommender.index import SongIndex

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
POPULAR_FILE = "popular.npy"
SUCCESSORS_FILE = "successors.npy"
# Serving uses successors as a fallback list for songs without a vector; 20 per song keeps the
# in-memory table small (a few hundred thousand pairs) while covering any page of results.
SUCCESSORS_PER_SONG = 20
_TEMP_PREFIX = ".tmp-"


class ArtifactsInvalid(Exception):
    """A version folder is missing, incomplete or does not match its manifest."""


@dataclass(frozen=True)
class Fallbacks:
    """What serving answers with when the model cannot place a seed."""

    popular_ids: tuple[int, ...]
    popular_counts: tuple[int, ...]
    # song id -> ((next song id, times it came right after), ...), most frequent first.
    successors: dict[int, tuple[tuple[int, int], ...]]


@dataclass(frozen=True)
class FallbackTables:
    """The fallbacks as the arrays written to disk (see the module docstring)."""

    popular: np.ndarray  # int64 (p, 2)
    successors: np.ndarray  # int64 (m, 3)


@dataclass(frozen=True)
class WrittenArtifacts:
    path: Path
    manifest: dict[str, Any]

    @property
    def total_bytes(self) -> int:
        return sum(int(entry["bytes"]) for entry in self.manifest["files"].values())


@dataclass(frozen=True)
class LoadedArtifacts:
    manifest: dict[str, Any]
    embeddings: SongEmbeddings
    index: SongIndex
    fallbacks: Fallbacks


def artifacts_root() -> Path:
    return Path(settings.RECOMMENDER_ARTIFACTS_DIR)


def artifacts_folder_for(version_id: int) -> Path:
    """Where version `version_id`'s artifacts live (whether or not they exist)."""
    return artifacts_root() / f"v{int(version_id)}"


def fallback_tables_compute(
    *, playlists: Sequence[np.ndarray], per_song: int = SUCCESSORS_PER_SONG
) -> FallbackTables:
    """Popularity ranking and top successors per song from the training playlists."""
    arrays = [np.asarray(p, dtype=np.int64).reshape(-1) for p in playlists]
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return FallbackTables(
            popular=np.zeros((0, 2), dtype=np.int64), successors=np.zeros((0, 3), dtype=np.int64)
        )
    counts = np.bincount(np.concatenate(arrays))
    played = np.flatnonzero(counts)
    # Most played first, ties by lower id (a stable sort of ids already in order).
    ranked = played[np.argsort(-counts[played], kind="stable")]
    popular = np.stack([ranked, counts[ranked]], axis=1).astype(np.int64)

    # Each (song, next) pair as one int64 key: a 1-D unique is ~20x faster than unique(axis=0).
    base = np.int64(len(counts))
    keys = np.concatenate([a[:-1] * base + a[1:] for a in arrays if len(a) >= 2] or [counts[:0]])
    seeds_all, nexts_all = np.divmod(keys, base)
    keys = keys[seeds_all != nexts_all]  # a song never follows itself in a fallback list
    if len(keys) == 0:
        return FallbackTables(popular=popular, successors=np.zeros((0, 3), dtype=np.int64))
    unique_keys, times = np.unique(keys, return_counts=True)
    seeds, nexts = np.divmod(unique_keys, base)
    # By seed, then more often first, then more popular, then lower id (lexsort: last key first).
    order = np.lexsort((nexts, -counts[nexts], -times, seeds))
    seeds, nexts, times = seeds[order], nexts[order], times[order]
    starts = np.searchsorted(seeds, seeds, side="left")
    keep = (np.arange(len(seeds)) - starts) < per_song
    unique = np.stack([seeds[keep], nexts[keep]], axis=1)
    times = times[keep]
    successors = np.column_stack([unique, times]).astype(np.int64)
    return FallbackTables(popular=popular, successors=successors)


def artifacts_write(
    *,
    version_id: int,
    embeddings: SongEmbeddings,
    index: SongIndex,
    fallbacks: FallbackTables,
    manifest_extra: dict[str, Any],
) -> WrittenArtifacts:
    """Write a version's folder atomically and return where it is with its manifest.

    1. Write every file into `.tmp-v<ID>-<random>` beside the final folder (same file system,
       so the rename below is atomic), then the manifest with each file's size and sha256.
    2. fsync the files, then os.rename the temporary folder to `v<ID>`.
    3. On any error the temporary folder is removed; an existing `v<ID>` is never replaced.
    """
    final = artifacts_folder_for(version_id)
    root = final.parent
    root.mkdir(parents=True, exist_ok=True)
    if final.exists():
        raise FileExistsError(f"the artifact folder {final} exists already; it is never replaced")
    temp = root / f"{_TEMP_PREFIX}{final.name}-{uuid.uuid4().hex[:12]}"
    temp.mkdir()
    try:
        embeddings.save(temp)
        index.save(temp)
        np.save(temp / POPULAR_FILE, fallbacks.popular, allow_pickle=False)
        np.save(temp / SUCCESSORS_FILE, fallbacks.successors, allow_pickle=False)
        manifest = {
            "format": MANIFEST_FORMAT,
            "version_id": int(version_id),
            "songs": len(embeddings.song_ids),
            "dimensions": embeddings.dimensions,
            "scoring": embeddings.scoring,
            **manifest_extra,
            "files": {path.name: _file_entry(path) for path in sorted(temp.iterdir())},
        }
        manifest_path = temp / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        for path in temp.iterdir():
            _fsync(path)
        os.rename(temp, final)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return WrittenArtifacts(path=final, manifest=manifest)


def manifest_verify(folder: Path) -> dict[str, Any]:
    """Read a version folder's manifest and check every file it lists; return the manifest.

    Raises ArtifactsInvalid when the folder or a file is missing or a size or sha256 differs.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactsInvalid(f"{folder} has no {MANIFEST} (missing or incomplete folder)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        # Every entry must say what to expect before any file is read.
        expected_of = {
            str(name): (int(entry["bytes"]), str(entry["sha256"])) for name, entry in files.items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ArtifactsInvalid(
            f"{manifest_path} is not a valid manifest: {type(exc).__name__}: {exc}"
        ) from exc
    for name, (size, sha256) in expected_of.items():
        path = folder / name
        if not path.is_file():
            raise ArtifactsInvalid(f"{path} is listed in the manifest but missing")
        actual = _file_entry(path)
        if actual["bytes"] != size or actual["sha256"] != sha256:
            raise ArtifactsInvalid(
                f"{path} does not match the manifest ({actual['bytes']} bytes, sha256 "
                f"{actual['sha256'][:12]}… expected {size} bytes, {sha256[:12]}…)"
            )
    return dict(manifest)


def fallbacks_load(folder: Path) -> Fallbacks:
    """The popularity ranking and successor lists of a version folder."""
    tables = _tables_load(Path(folder))
    successors: dict[int, list[tuple[int, int]]] = {}
    for seed, nxt, times in tables.successors.tolist():
        successors.setdefault(seed, []).append((nxt, times))
    return Fallbacks(
        popular_ids=tuple(tables.popular[:, 0].tolist()),
        popular_counts=tuple(tables.popular[:, 1].tolist()),
        successors={seed: tuple(pairs) for seed, pairs in successors.items()},
    )


def artifacts_load(folder: Path, *, verify: bool = True) -> LoadedArtifacts:
    """Load a whole version folder, checking it against its manifest first (unless told not to)."""
    folder = Path(folder)
    if verify:
        manifest = manifest_verify(folder)
    else:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return LoadedArtifacts(
        manifest=manifest,
        embeddings=SongEmbeddings.load(folder),
        index=SongIndex.load(folder),
        fallbacks=fallbacks_load(folder),
    )


def artifacts_delete(folder: Path | str) -> bool:
    """Remove a version folder if it is inside the artifacts root; True when one was removed.

    The folder is first renamed to a temporary name so that readers never see it half-deleted.
    """
    path = Path(folder)
    root = artifacts_root().resolve()
    if not path.exists():
        return False
    resolved = path.resolve()
    if resolved.parent != root:
        # A path from the database is data: never delete anything outside our own folder.
        raise ValueError(f"refusing to delete {path}: it is not a folder of {root}")
    doomed = root / f"{_TEMP_PREFIX}deleted-{resolved.name}-{uuid.uuid4().hex[:12]}"
    os.rename(resolved, doomed)
    shutil.rmtree(doomed, ignore_errors=True)
    return True


def temp_folders(*, older_than_seconds: float = 0.0) -> list[Path]:
    """Temporary folders left by writers that died before their rename."""
    root = artifacts_root()
    if not root.is_dir():
        return []
    now = time.time()
    return [
        path
        for path in root.iterdir()
        if path.name.startswith(_TEMP_PREFIX)
        and path.is_dir()
        and now - path.stat().st_mtime >= older_than_seconds
    ]


def _tables_load(folder: Path) -> FallbackTables:
    popular = np.load(folder / POPULAR_FILE, allow_pickle=False).reshape(-1, 2)
    successors = np.load(folder / SUCCESSORS_FILE, allow_pickle=False).reshape(-1, 3)
    return FallbackTables(popular=popular, successors=successors)


def _file_entry(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
