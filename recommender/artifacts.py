"""A model version's files on disk: layout, atomic writing, a verified manifest.

Storage only: what the files hold is recommender.ml's business (Recommender.save/load). Layout
of `RECOMMENDER_ARTIFACTS_DIR/v<ID>/` (immutable once written):

    manifest.json          version id, hyperparameters, metrics, every other file's size + sha256
    song_ids.npy, query_vectors.npy, candidate_vectors.npy, embeddings.json   the vectors
    songs.faiss, songs_alike.faiss   FAISS indexes: "what comes next", "sounds like"
    neighbours_next.npy, neighbours_alike.npy   each song's nearest songs in those indexes
    statistics.npz, statistics.json  the playlist statistics (ml/statistics.py)
    catalogue.npz          artists, specific tags and recommendable flags per song
    scorer.json            the fitted weights per question

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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 3  # 2: statistics, catalogue arrays and scorer; 3: the neighbour tables
_TEMP_PREFIX = ".tmp-"


class ArtifactsInvalid(Exception):
    """A version folder is missing, incomplete or does not match its manifest."""


@dataclass(frozen=True)
class WrittenArtifacts:
    path: Path
    manifest: dict[str, Any]

    @property
    def total_bytes(self) -> int:
        return sum(int(entry["bytes"]) for entry in self.manifest["files"].values())


def artifacts_root() -> Path:
    return Path(settings.RECOMMENDER_ARTIFACTS_DIR)


def artifacts_folder_for(version_id: int) -> Path:
    """Where version `version_id`'s artifacts live (whether or not they exist)."""
    return artifacts_root() / f"v{int(version_id)}"


def artifacts_write(
    *,
    version_id: int,
    write: Callable[[Path], object],
    manifest_extra: dict[str, Any],
) -> WrittenArtifacts:
    """Write a version's folder atomically and return where it is with its manifest.

    1. `write(folder)` writes every file into `.tmp-v<ID>-<random>` beside the final folder
       (same file system, so the rename below is atomic), then the manifest with each
       file's size and sha256.
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
        write(temp)
        manifest = {
            "format": MANIFEST_FORMAT,
            "version_id": int(version_id),
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
