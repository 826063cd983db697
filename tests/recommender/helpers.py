"""Helpers for the recommender tests: a small catalogue made with the ORM, and polling a run."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from playlists.models import Dataset, Playlist, Song
from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS, training_run_execute

REPO_ROOT = Path(__file__).resolve().parents[2]

# Two clusters that never share a playlist: songs 0..9 ("rock") and 10..19 ("jazz").
CLUSTERS = (tuple(range(0, 10)), tuple(range(10, 20)))


def catalogue_create(
    *,
    playlists: Sequence[Sequence[int]] | None = None,
    songs: int = 20,
    test: Sequence[Sequence[int]] = (),
) -> Sequence[Sequence[int]]:
    """Songs 0..songs-1 and the given playlists (default: two clusters) in the database."""
    dataset = Dataset.objects.create(name="yes_test", source="tests", fingerprint="0" * 64)
    Song.objects.bulk_create(
        Song(id=i, title=f"Song {i}", artist=f"Artist {i % 7}", search_text=f"song {i}")
        for i in range(songs)
    )
    lists = cluster_playlists() if playlists is None else playlists
    rows = [
        Playlist(
            dataset=dataset,
            split=Playlist.Split.TRAIN,
            line_number=3 + n,
            length=len(songs_),
            song_ids_blob=Playlist.encode_song_ids(list(songs_)),
        )
        for n, songs_ in enumerate(lists)
    ]
    rows += [
        Playlist(
            dataset=dataset,
            split=Playlist.Split.TEST,
            line_number=3 + n,
            length=len(songs_),
            song_ids_blob=Playlist.encode_song_ids(list(songs_)),
        )
        for n, songs_ in enumerate(test)
    ]
    Playlist.objects.bulk_create(rows)
    return lists


def cluster_playlists(count: int = 48, length: int = 12) -> list[list[int]]:
    """`count` playlists, each drawn from one cluster only, alternating clusters."""
    rng = random.Random(7)
    return [[rng.choice(CLUSTERS[n % 2]) for _ in range(length)] for n in range(count)]


def wait_for(
    version_id: int,
    until: Callable[[ModelVersion], bool],
    *,
    timeout: float = 60.0,
    every: float = 0.02,
    seen: list[tuple[str, int]] | None = None,
) -> ModelVersion:
    """Poll the row until `until(row)`; record (status, progress_epoch) changes into `seen`."""
    deadline = time.monotonic() + timeout
    while True:
        row = ModelVersion.objects.get(id=version_id)
        if seen is not None and (not seen or seen[-1] != (row.status, row.progress_epoch)):
            seen.append((row.status, row.progress_epoch))
        if until(row):
            return row
        if time.monotonic() > deadline:
            raise AssertionError(
                f"model version {version_id} stuck at {row.status} "
                f"({row.progress_message!r}, error {row.error!r}) after {timeout}s"
            )
        time.sleep(every)


def finished(row: ModelVersion) -> bool:
    return row.is_finished


def small_params(**changes: object) -> Word2VecParams:
    """Tiny, fast hyperparameters for the test catalogue."""
    base = replace(Word2VecParams(), vector_size=16, window=3, epochs=30, negative=5, seed=3)
    return replace(base, **changes)  # type: ignore[arg-type]


def version_train_in_process(
    *, params: Word2VecParams | None = None, activate_when_done: str = "never"
) -> ModelVersion:
    """Create a run and execute it in this process, for tests of the services around finished
    versions. No message is sent: in a transactional test one would be published at once, and
    the session's worker could claim the run first."""
    version = version_row_create(
        params=params or small_params(),
        activate_when_done=activate_when_done,
        task_id=f"in-process-{uuid.uuid4()}",
    )
    training_run_execute(version_id=version.pk)
    version.refresh_from_db()
    assert version.status == ModelVersion.Status.SUCCEEDED, version.error
    return version


def version_row_create(
    *, params: Word2VecParams, activate_when_done: str = "never", task_id: str = ""
) -> ModelVersion:
    """A queued run's row with no message sent: the test trains it in-process or publishes
    the message itself (to a queue of its choice)."""
    return ModelVersion.objects.create(
        **{name: getattr(params, name) for name in PARAM_FIELDS},
        activate_when_done=activate_when_done,
        task_id=task_id,
    )


WORKER_START_SECONDS = 60


@dataclass(frozen=True)
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    queue: str

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def worker_start(
    *,
    env: dict[str, str],
    log: Path,
    pool: str = "prefork",
    concurrency: int = 1,
    own_process_group: bool = False,
) -> Worker:
    """Start `celery -A config worker` on env's queue and wait until it is ready.

    With `own_process_group` the worker and its pool processes form a process group of their
    own, so that a test can kill them all at once (worker_kill_all).
    """
    queue = env["RECOMMENDER_CELERY_QUEUE"]
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "-Q",
        queue,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
        f"--hostname=test-{queue}-{log.stem}@%h",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            process_group=0 if own_process_group else None,
        )
    worker = Worker(process=process, log=log, queue=queue)
    deadline = time.monotonic() + WORKER_START_SECONDS
    while "ready." not in worker.log_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"the Celery worker did not start; its log:\n{worker.log_text()}")
        time.sleep(0.1)
    return worker


def worker_stop(worker: Worker) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


def worker_kill_all(worker: Worker) -> None:
    """SIGKILL the worker's main process and its pool processes at once (a machine-level
    crash, the OOM killer taking the whole cgroup); needs `own_process_group`."""
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()


def run_pid(version: ModelVersion) -> int:
    """The pid of the (pool) process that claimed a run, from its `worker` field (host:pid)."""
    host, _, pid = version.worker.rpartition(":")
    assert host == socket.gethostname() and pid.isdigit(), version.worker
    return int(pid)


def train_form_data(**changes: object) -> dict[str, str]:
    """The admin's train form as posted with every default, then `changes`."""
    defaults = Word2VecParams()
    data = {name: str(getattr(defaults, name)) for name in PARAM_FIELDS}
    data["sg"] = "1" if defaults.sg else "0"
    data["activate_when_done"] = "better"
    data.update({name: str(value) for name, value in changes.items()})
    return data
