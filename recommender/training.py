"""Training runs as services: create (enqueue), execute (in the worker), activate, roll back,
cancel, delete, and the clean-up after a worker that died.

Every run is a `ModelVersion` row; the row is the source of truth (Celery keeps no results).
States: queued -> running -> succeeded | failed | cancelled; queued -> cancelled | failed
(queue unavailable, worker lost). At most one succeeded version is active and at most one run
is running, across all workers (database constraints).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
import uuid
from dataclasses import dataclass, fields
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from playlists.selectors import (
    playlist_line_numbers,
    playlist_song_ids_iter,
    song_count,
    split_exists,
)
from recommender.artifacts import (
    artifacts_delete,
    artifacts_folder_for,
    artifacts_write,
    fallback_tables_compute,
    manifest_verify,
    temp_folders,
)
from recommender.embeddings import TrainingCancelled, Word2VecParams, embeddings_train
from recommender.evaluation import HOLDOUT_SEED, HOLDOUT_SHARE, evaluation_run, holdout_split
from recommender.index import SongIndex
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

Status = ModelVersion.Status
Activation = ModelVersion.Activation

# The Word2VecParams fields a ModelVersion stores (workers is a property of the machine, not
# of the model: it changes speed, not what is learned beyond thread-scheduling noise).
PARAM_FIELDS = tuple(f.name for f in fields(Word2VecParams) if f.name != "workers")
# Attempts at the finishing transaction when two runs activate at the same instant and the
# "one active" constraint rejects the second.
_ACTIVATION_ATTEMPTS = 3


class QueueUnavailable(Exception):
    """The broker could not take the training message; the run was recorded as failed."""


class TrainingTimeLimit(Exception):
    """The run went past its time limit (checked after every epoch)."""


class ModelVersionRefused(Exception):
    """An admin action that does not apply to this version (e.g. deleting the active one)."""


class TrainingBusy(Exception):
    """Another run is training; this one stays queued and its message should come back later."""

    def __init__(self, *, version_id: int, running_id: int | None) -> None:
        self.version_id = version_id
        self.running_id = running_id
        which = f"version {running_id}" if running_id is not None else "another version"
        super().__init__(f"model version {version_id} waits: {which} is training")


@dataclass(frozen=True)
class TrainingCorpus:
    """Playlists read once from the database, split into what trains and what evaluates."""

    train: list[np.ndarray]
    evaluation: list[np.ndarray]
    stats: dict[str, Any]


def worker_identity() -> str:
    """host:pid of this process, stored on the run so that a dead worker can be recognised."""
    return f"{socket.gethostname()}:{os.getpid()}"


def model_version_params(version: ModelVersion) -> Word2VecParams:
    """The Word2VecParams a version was (or will be) trained with."""
    return Word2VecParams(**{name: getattr(version, name) for name in PARAM_FIELDS})


def model_version_create(
    *,
    params: Word2VecParams | None = None,
    created_by: Any = None,
    activate_when_done: str = Activation.BETTER,
) -> ModelVersion:
    """Record a queued training run and send it to the worker once the row is committed.

    1. The row is created in its own transaction with a fresh task id.
    2. After commit the message is published without retries (the broker settings make a
       dead Redis fail in about two seconds at most).
    3. When publishing fails, the row is marked failed with "queue unavailable: ..." and
       QueueUnavailable is raised, so no run is left queued that no worker will ever see.
    Hyperparameters are not validated here: an invalid one fails the run with a readable
    error (forms and the command validate before calling this).
    Called inside an outer transaction, publishing (and QueueUnavailable) happen when the
    outer transaction commits.
    """
    if activate_when_done not in Activation.values:
        raise ValueError(
            f"activate_when_done must be one of {', '.join(Activation.values)} "
            f"(got {activate_when_done!r})"
        )
    params = params or Word2VecParams()
    with transaction.atomic():
        version = ModelVersion.objects.create(
            **{name: getattr(params, name) for name in PARAM_FIELDS},
            activate_when_done=activate_when_done,
            created_by=created_by,
            task_id=str(uuid.uuid4()),
            status=Status.QUEUED,
            progress_message="waiting for a worker",
        )
        transaction.on_commit(partial(_publish, version_id=version.pk, task_id=version.task_id))
    return version


def _publish(*, version_id: int, task_id: str) -> None:
    # Imported here because tasks.py imports this module.
    from recommender.tasks import train_model_version

    try:
        train_model_version.apply_async(args=[version_id], task_id=task_id, retry=False)
    except Exception as exc:  # kombu/redis/socket errors: anything means "not queued"
        message = f"queue unavailable: {exc}"
        ModelVersion.objects.filter(id=version_id, status=Status.QUEUED).update(
            status=Status.FAILED, error=message, progress_message="", finished_at=timezone.now()
        )
        logger.error("could not enqueue model version %s: %s", version_id, exc)
        raise QueueUnavailable(
            f"{message} (is Redis running at {settings.REDIS_URL}?); model version "
            f"{version_id} was recorded as failed"
        ) from exc


def training_run_execute(
    *, version_id: int, time_limit_seconds: float | None = None
) -> ModelVersion | None:
    """Train, evaluate, write and (maybe) activate one queued version. Runs in the worker.

    1. Fail the runs of workers that died, then claim this run with a conditional update
       (queued -> running); a duplicate or redelivered message claims nothing and returns None.
       While another run is running the claim is refused by the "one running" constraint:
       the run stays queued ("waiting: version N is training") and TrainingBusy is raised so
       that the task asks again later.
    2. Read the corpus once: the train split's playlists of 2+ songs; the test split
       evaluates when it exists, otherwise a deterministic hold-out of train playlists that
       is excluded from training.
    3. Train; after every epoch record progress and stop when cancellation was requested
       (status cancelled, nothing written).
    4. Evaluate the model and both baselines on the same held-out pairs.
    5. Write the artifacts atomically (temporary folder, one rename) to v<ID>/.
    6. In one transaction: record results, status succeeded, and activate per
       activate_when_done ("better": HitRate@10 at least the active version's).
    Any error marks the run failed with a readable message, removes what it wrote and is
    re-raised; the active version is never touched by a failing run. `time_limit_seconds`
    (the task's soft limit) is also checked after every epoch: Celery's soft-limit signal
    can land where Python ignores exceptions, an epoch boundary cannot.
    """
    runs_dead_fail(claiming=True)
    now = timezone.now()
    try:
        # A savepoint: on PostgreSQL a failed statement inside an outer transaction would
        # otherwise poison it.
        with transaction.atomic():
            claimed = ModelVersion.objects.filter(
                id=version_id, status=Status.QUEUED, cancel_requested=False
            ).update(
                status=Status.RUNNING,
                started_at=now,
                heartbeat_at=now,
                worker=worker_identity(),
                progress_epoch=0,
                progress_message="reading the corpus",
                error="",
            )
    except IntegrityError:
        raise _busy(version_id) from None
    if not claimed:
        logger.info(
            "model version %s is not queued: nothing to do (duplicate message?)", version_id
        )
        return None

    version = ModelVersion.objects.get(id=version_id)
    phase = "reading the corpus"
    written: Path | None = None
    timings: dict[str, float] = {}
    started = time.perf_counter()
    # A little before Celery's own soft-limit signal, so that the clean stop between epochs wins.
    deadline = (
        time.monotonic() + time_limit_seconds - min(0.05 * time_limit_seconds, 30.0)
        if time_limit_seconds
        else None
    )
    try:
        params = model_version_params(version)
        lap = time.perf_counter()
        corpus = training_corpus_read()
        timings["read_corpus"] = time.perf_counter() - lap
        _raise_if_cancelled(version_id)

        phase = "training"
        _progress(version_id, message=f"training on {corpus.stats['train_playlists']} playlists")
        lap = time.perf_counter()
        embeddings = embeddings_train(
            playlists=corpus.train,
            params=params,
            on_epoch_end=partial(_epoch_end, version_id, deadline, time_limit_seconds),
        )
        timings["train"] = time.perf_counter() - lap

        phase = "evaluating"
        _progress(version_id, message="evaluating on held-out playlists")
        lap = time.perf_counter()
        metrics = evaluation_run(
            train_playlists=corpus.train,
            eval_playlists=corpus.evaluation,
            embeddings=embeddings,
            catalogue_size=corpus.stats["catalogue_size"],
        )
        timings["evaluate"] = time.perf_counter() - lap
        _raise_if_cancelled(version_id)

        phase = "writing artifacts"
        _progress(version_id, message="writing artifacts")
        lap = time.perf_counter()
        index = SongIndex.build(embeddings.song_ids, embeddings.candidate_vectors)
        fallbacks = fallback_tables_compute(playlists=corpus.train)
        result = artifacts_write(
            version_id=version_id,
            embeddings=embeddings,
            index=index,
            fallbacks=fallbacks,
            manifest_extra={
                "hyperparameters": {**version.hyperparameters, "workers": params.workers},
                "metrics": metrics,
                "corpus": corpus.stats,
                "created_at": timezone.now().isoformat(),
            },
        )
        written = result.path
        timings["write"] = time.perf_counter() - lap
        timings["total"] = time.perf_counter() - started

        phase = "recording the results"
        return _finish(
            version_id=version_id,
            values={
                "metrics": metrics,
                "corpus_stats": corpus.stats,
                "timings": {name: round(seconds, 3) for name, seconds in timings.items()},
                "train_seconds": embeddings.train_seconds,
                "words_per_second": embeddings.words_per_second,
                "artifacts_path": str(result.path),
            },
        )
    except TrainingCancelled:
        if written is not None:
            artifacts_delete(written)
        ModelVersion.objects.filter(id=version_id, status=Status.RUNNING).update(
            status=Status.CANCELLED,
            progress_message=f"cancelled while {phase}",
            finished_at=timezone.now(),
        )
        logger.info("model version %s cancelled while %s", version_id, phase)
        return ModelVersion.objects.get(id=version_id)
    except BaseException as exc:
        if written is not None:
            artifacts_delete(written)
        error = f"failed while {phase}: {_readable(exc, limit=time_limit_seconds)}"
        logger.exception("model version %s %s", version_id, error)
        _failure_record(version_id=version_id, error=error)
        raise


def _busy(version_id: int) -> TrainingBusy:
    running_id = (
        ModelVersion.objects.filter(status=Status.RUNNING).values_list("id", flat=True).first()
    )
    which = f"version {running_id}" if running_id is not None else "another version"
    ModelVersion.objects.filter(id=version_id, status=Status.QUEUED).update(
        progress_message=f"waiting: {which} is training"
    )
    logger.info("model version %s waits: %s is training", version_id, which)
    return TrainingBusy(version_id=version_id, running_id=running_id)


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


def _failure_record(*, version_id: int, error: str) -> None:
    for attempt in (1, 2):
        try:
            ModelVersion.objects.filter(id=version_id, status=Status.RUNNING).update(
                status=Status.FAILED, error=error, progress_message="", finished_at=timezone.now()
            )
            return
        except Exception:
            # A time limit can interrupt a query half-way and leave the connection unusable;
            # a fresh connection records the failure. If the database itself is away, the
            # original error (re-raised by the caller) matters more than this one.
            logger.exception("could not record the failure of model version %s", version_id)
            if attempt == 1:
                connection.close()


def training_corpus_read() -> TrainingCorpus:
    """Read the training playlists (2+ songs) once and split off the evaluation playlists.

    With a test split, all train playlists train and the test split evaluates. Without one,
    a playlist is held out when evaluation.holdout_split puts its line number in train.txt
    among the HOLDOUT_SHARE held-out keys (seeded by HOLDOUT_SEED), so a benchmark reading
    the file holds out the same playlists.
    """
    rows = list(playlist_song_ids_iter(split="train", min_length=2))
    if split_exists(split="test"):
        train = [songs for _, songs in rows]
        evaluation = [songs for _, songs in playlist_song_ids_iter(split="test", min_length=2)]
        how = "the test split"
    else:
        line_of = playlist_line_numbers(split="train")
        _, held_out = holdout_split(playlist_keys=[line_of[pid] for pid, _ in rows])
        train = [songs for pid, songs in rows if line_of[pid] not in held_out]
        evaluation = [songs for pid, songs in rows if line_of[pid] in held_out]
        how = f"a {HOLDOUT_SHARE:.0%} hold-out of train playlists (seed {HOLDOUT_SEED})"
    del rows
    stats = {
        "train_playlists": len(train),
        "train_songs": int(sum(len(songs) for songs in train)),
        "eval_playlists": len(evaluation),
        "eval_songs": int(sum(len(songs) for songs in evaluation)),
        "catalogue_size": song_count(),
        "evaluated_on": how,
    }
    return TrainingCorpus(train=train, evaluation=evaluation, stats=stats)


def _epoch_end(
    version_id: int, deadline: float | None, limit: float | None, done: int, total: int
) -> None:
    # Runs in the training thread between epochs: one UPDATE and one indexed read.
    ModelVersion.objects.filter(id=version_id).update(
        progress_epoch=done,
        progress_message=f"epoch {done} of {total}",
        heartbeat_at=timezone.now(),
    )
    logger.info("model version %s: epoch %s of %s", version_id, done, total)
    _raise_if_cancelled(version_id)
    if deadline is not None and time.monotonic() > deadline:
        raise TrainingTimeLimit(f"past the time limit of {limit:g} s")


def _progress(version_id: int, *, message: str) -> None:
    ModelVersion.objects.filter(id=version_id).update(
        progress_message=message, heartbeat_at=timezone.now()
    )


def _raise_if_cancelled(version_id: int) -> None:
    if ModelVersion.objects.filter(id=version_id, cancel_requested=True).exists():
        raise TrainingCancelled


def _readable(exc: BaseException, *, limit: float | None = None) -> str:
    if isinstance(exc, SoftTimeLimitExceeded | TrainingTimeLimit):
        of = f" of {limit:g} s" if limit else ""
        return f"the run took longer than its time limit{of} (RECOMMENDER_TRAIN_SOFT_LIMIT)"
    if isinstance(exc, SystemExit):
        return (
            f"the worker process was stopped (exit code {exc.code}): the hard time limit or a "
            "shutdown"
        )
    text = str(exc).strip()
    if isinstance(exc, ValueError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _finish(*, version_id: int, values: dict[str, Any]) -> ModelVersion:
    for attempt in range(1, _ACTIVATION_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _finish_locked(version_id=version_id, values=values)
        except IntegrityError:
            # Another version became active between our read and our write; decide again.
            if attempt == _ACTIVATION_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _finish_locked(*, version_id: int, values: dict[str, Any]) -> ModelVersion:
    active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
    version = ModelVersion.objects.select_for_update().get(id=version_id)
    if version.cancel_requested:
        raise TrainingCancelled
    if version.status != Status.RUNNING:
        raise RuntimeError(f"the run was marked {version.status} while it was running")
    for name, value in values.items():
        setattr(version, name, value)
    version.status = Status.SUCCEEDED
    version.progress_epoch = version.epochs
    version.progress_message = "done"
    version.finished_at = timezone.now()
    version.save()
    if _should_activate(version, active):
        _activate_locked(version, active)
        version.progress_message = "done; activated"
        ModelVersion.objects.filter(id=version.pk).update(progress_message=version.progress_message)
    return version


def _should_activate(version: ModelVersion, active: ModelVersion | None) -> bool:
    policy = version.activate_when_done
    if policy == Activation.ALWAYS:
        return True
    if policy == Activation.NEVER:
        return False
    if active is None:
        return True
    mine, theirs = version.hit_rate(), active.hit_rate()
    if theirs is None:
        return True
    return mine is not None and mine >= theirs


def _activate_locked(target: ModelVersion, active: ModelVersion | None) -> None:
    # Deactivate first: the unique constraint allows one active row at every statement.
    if active is not None and active.pk != target.pk:
        ModelVersion.objects.filter(id=active.pk).update(is_active=False)
    now = timezone.now()
    ModelVersion.objects.filter(id=target.pk).update(is_active=True, activated_at=now)
    target.is_active = True
    target.activated_at = now


def model_version_activate(*, version_id: int) -> ModelVersion:
    """Make a succeeded version with intact artifacts the active one (the old one steps down).

    Refuses (ModelVersionRefused) versions that did not succeed or whose folder does not
    match its manifest. Activating the active version again is a no-op.
    """
    for attempt in range(1, _ACTIVATION_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
                target = ModelVersion.objects.select_for_update().get(id=version_id)
                _check_activatable(target)
                if active is None or active.pk != target.pk:
                    _activate_locked(target, active)
                return target
        except IntegrityError:
            if attempt == _ACTIVATION_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def model_version_rollback() -> ModelVersion:
    """Activate the version that was active before the current one.

    "Before" is by activation time: the succeeded version, other than the active one, that
    was activated most recently. Rolling back twice therefore returns to where one started.
    Raises ModelVersionRefused when there is no such version.
    """
    with transaction.atomic():
        active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        previous = ModelVersion.objects.filter(
            status=Status.SUCCEEDED, activated_at__isnull=False
        ).order_by("-activated_at")
        if active is not None:
            previous = previous.exclude(id=active.pk)
        target = previous.select_for_update().first()
        if target is None:
            raise ModelVersionRefused("there is no previously active version to roll back to")
        _check_activatable(target)
        _activate_locked(target, active)
        return target


def _check_activatable(version: ModelVersion) -> None:
    if version.status != Status.SUCCEEDED:
        raise ModelVersionRefused(
            f"version {version.pk} is {version.status}; only a succeeded version can be active"
        )
    try:
        manifest_verify(Path(version.artifacts_path or artifacts_folder_for(version.pk)))
    except Exception as exc:
        raise ModelVersionRefused(
            f"version {version.pk}'s artifacts are not usable: {exc}"
        ) from exc


def model_version_cancel(*, version_id: int) -> ModelVersion:
    """Cancel a queued run at once, or ask a running one to stop after its current epoch.

    A running run finishes as cancelled without writing artifacts (the worker checks after
    every epoch and again before recording). Finished runs are refused.
    """
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(id=version_id)
        if version.status == Status.QUEUED:
            version.status = Status.CANCELLED
            version.cancel_requested = True
            version.progress_message = "cancelled before it started"
            version.finished_at = timezone.now()
        elif version.status == Status.RUNNING:
            version.cancel_requested = True
            version.progress_message = "cancelling after the current step"
        else:
            raise ModelVersionRefused(
                f"version {version.pk} is {version.status}; only queued or running runs can be "
                "cancelled"
            )
        version.save(
            update_fields=["status", "cancel_requested", "progress_message", "finished_at"]
        )
        return version


def model_version_delete(*, version_id: int) -> None:
    """Delete a version's row and its artifact folder.

    Refuses the active version (activate or roll back to another first) and a running one
    (cancel it first). The folder is removed after the row's deletion has committed.
    """
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(id=version_id)
        if version.is_active:
            raise ModelVersionRefused(
                f"version {version.pk} is active; activate another version before deleting it"
            )
        if version.status == Status.RUNNING:
            raise ModelVersionRefused(f"version {version.pk} is running; cancel it first")
        folder = Path(version.artifacts_path) if version.artifacts_path else None
        version.delete()
    try:
        artifacts_delete(folder or artifacts_folder_for(version_id))
    except ValueError:
        # A path outside today's artifacts root (the setting moved): leave it to the operator.
        logger.warning("version %s's folder %s was left in place", version_id, folder)


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
