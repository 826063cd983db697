"""Runs whose worker died: recognising them, failing them, removing their half-written folders."""

from __future__ import annotations

import logging
import os
import shutil
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from recommender.artifacts import (
    temp_folders,
)
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

Status = ModelVersion.Status
Activation = ModelVersion.Activation

# The Word2VecParams fields a ModelVersion stores (workers is a property of the machine, not
# of the model: it changes speed, not what is learned beyond thread-scheduling noise).


def worker_identity() -> str:
    """host:pid of this process, stored on the run so that a dead worker can be recognised."""
    return f"{socket.gethostname()}:{os.getpid()}"


def training_run_lost(*, task_id: str, reason: str) -> int | None:
    """Mark failed the run of a message whose worker process died; return the run's id.

    Called by the Celery worker's main process when the pool process running message
    `task_id` was killed (SIGKILL, the out-of-memory killer, the hard time limit): that
    process could record nothing itself. The run (running, or still queued when the process
    died before claiming it: its message is gone either way) becomes failed with `reason` and
    the step it was at; its temporary artifact folders are removed. A finished run is left as
    it is. Returns None when no unfinished run has this task id.
    """
    row = (
        ModelVersion.objects.filter(task_id=task_id, status__in=(Status.QUEUED, Status.RUNNING))
        .values_list("id", "status", "progress_message")
        .first()
    )
    if row is None:
        return None
    version_id, status, step = row
    # Folders first: the process that wrote them is dead, and whoever sees the run failed
    # must find no half-written folder left.
    _temp_folders_remove(version_id)
    error = f"{reason}; last step: {step or status}" if status == Status.RUNNING else reason
    changed = ModelVersion.objects.filter(id=version_id, status=status).update(
        status=Status.FAILED, error=error, progress_message="", finished_at=timezone.now()
    )
    if not changed:
        return None  # it finished or was claimed meanwhile: whoever did that recorded it
    logger.error("model version %s failed: %s", version_id, error)
    return version_id


def runs_dead_fail(*, claiming: bool = False) -> list[int]:
    """Mark failed the running runs whose worker is gone; return their ids.

    A run on this host is dead when its worker's pid no longer exists (or is a zombie). A run
    on another host, or whose pid was reused, is dead when its heartbeat (touched every epoch)
    is older than the task's hard time limit, since no run can live longer than that.
    `claiming`: this process is about to claim a run, so a run still recorded as running in
    this very process is an orphan too. That happens when a run failed while the database
    was away, so its failure could not be recorded; without this it would block every other
    run (one running at a time) until the hard time limit. Worker pools are prefork or solo:
    one task per process.
    Temporary artifact folders of runs that are not running (dead writers) are removed.
    """
    host = socket.gethostname()
    limit = timedelta(seconds=float(settings.CELERY_TASK_TIME_LIMIT))
    # Listed before the running runs are read: a folder that appears later belongs to a run
    # that was claimed later, and is not touched.
    leftovers = temp_folders()
    now = timezone.now()
    dead: list[int] = []
    running = ModelVersion.objects.filter(status=Status.RUNNING).values_list(
        "id", "worker", "heartbeat_at"
    )
    for version_id, worker, heartbeat_at in running:
        worker_host, _, pid = worker.rpartition(":")
        silent = heartbeat_at is not None and now - heartbeat_at > limit
        if claiming and worker == worker_identity():
            why = (
                f"the run ended without recording its result (process {pid} on {host} went on "
                "to another run; the database was probably unreachable when it failed)"
            )
        elif worker_host == host and pid.isdigit():
            if _pid_alive(int(pid)) and not silent:
                continue
            why = f"worker died: process {pid} on {host} is gone"
        elif heartbeat_at is None or silent:
            why = f"worker died: no sign of life from {worker or 'its worker'} since {heartbeat_at}"
        else:
            continue
        # Its writer is dead: its half-written folder goes before anyone can see it failed.
        _temp_folders_remove(version_id)
        changed = ModelVersion.objects.filter(
            id=version_id, status=Status.RUNNING, worker=worker
        ).update(status=Status.FAILED, error=why, progress_message="", finished_at=now)
        if changed:
            dead.append(version_id)
            logger.warning("model version %s: %s", version_id, why)
    still_running = set(
        ModelVersion.objects.filter(status=Status.RUNNING).values_list("id", flat=True)
    )
    for folder in leftovers:
        if _temp_folder_version(folder) not in still_running:
            shutil.rmtree(folder, ignore_errors=True)
    return dead


def _temp_folder_version(folder: Path) -> int | None:
    # ".tmp-v12-<random>" (being written) or ".tmp-deleted-v12-<random>" (being deleted).
    name = folder.name.removeprefix(".tmp-").removeprefix("deleted-")
    number = name.removeprefix("v").partition("-")[0]
    return int(number) if name.startswith("v") and number.isdigit() else None


def _temp_folders_remove(version_id: int) -> None:
    for folder in temp_folders():
        if folder.name.startswith(f".tmp-v{version_id}-"):
            shutil.rmtree(folder, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    # A process killed together with its parent stays a zombie until init reaps it, and some
    # container inits never do: a zombie runs nothing.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return not Path("/proc/self").is_dir()  # gone meanwhile; or no /proc (macOS): trust kill
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
