"""Celery plumbing only: the training task and the worker's clean-up of runs it lost."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Reject, TimeLimitExceeded, WorkerLostError
from celery.signals import task_failure, worker_ready
from django.conf import settings
from django.db import connections

from recommender.training import (
    TrainingBusy,
    runs_dead_fail,
    training_run_execute,
    training_run_lost,
)

logger = logging.getLogger(__name__)

TASK_NAME = "recommender.train_model_version"


# The limits travel in each message from the publisher's settings (web or command line), so
# set RECOMMENDER_TRAIN_SOFT_LIMIT alike for them and the worker. A run over the soft limit is
# recorded as failed; the broker's visibility timeout (settings) stays above the hard limit.
# max_retries=None: a run waits for the one running before it however long that takes (at
# most its hard time limit: a dead run is failed at the next attempt).
@shared_task(
    bind=True,
    name=TASK_NAME,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=None,
)
def train_model_version(self: Task, version_id: int) -> None:
    """Train one queued model version; a duplicate or redelivered message does nothing."""
    try:
        training_run_execute(version_id=version_id, time_limit_seconds=_soft_limit(self))
    except TrainingBusy as busy:
        # Another run holds the one training slot: the same message comes back later.
        raise self.retry(exc=busy, countdown=settings.RECOMMENDER_TRAIN_WAIT_SECONDS) from None


def _soft_limit(task: Task) -> float | None:
    # The message carries (hard, soft) limits when the publisher set them; else the task's own.
    limits = task.request.timelimit or (None, None)
    return limits[1] or task.soft_time_limit


@task_failure.connect
def fail_runs_of_lost_processes(
    sender: Task | None = None, task_id: str = "", exception: BaseException | None = None, **_: Any
) -> None:
    """The main worker process records a run whose pool process died before it could."""
    if getattr(sender, "name", None) != TASK_NAME:
        return
    reason = _lost_reason(exception)
    if reason is None:
        return  # an ordinary failure: training_run_execute recorded it in the pool process
    try:
        training_run_lost(task_id=task_id, reason=reason)
    except Exception:
        # The next claim or worker start fails the run instead (runs_dead_fail).
        logger.exception("could not record the lost run of task %s", task_id)
    finally:
        # The main process keeps no connection open: the pool's children have their own.
        connections.close_all()


def _lost_reason(exception: BaseException | None) -> str | None:
    if isinstance(exception, WorkerLostError):
        # billiard: "Worker exited prematurely: signal 9 (SIGKILL) Job: 0."
        status = str(exception).removeprefix("Worker exited prematurely: ")
        status = status.partition(" Job:")[0].rstrip(".")
        if status.startswith("signal"):
            return (
                f"the worker process running it was killed ({status}), e.g. by the "
                "out-of-memory killer or an operator"
            )
        return f"the worker process running it exited unexpectedly ({status})"
    if isinstance(exception, TimeLimitExceeded):
        return (
            f"the run went past its hard time limit of {exception.args[0]} s and its worker "
            "process was killed"
        )
    if isinstance(exception, Reject):
        # Task.retry could not publish the message that was to try again (broker away).
        return f"queue unavailable: it could not be queued again to wait ({exception.reason})"
    return None


@worker_ready.connect
def fail_runs_of_dead_workers(**_: Any) -> None:
    """A worker that starts marks failed the runs a dead worker left in "running"."""
    try:
        dead = runs_dead_fail()
    except Exception:
        # The worker must start even when the database is not ready yet (e.g. not migrated).
        logger.exception("could not check for runs of dead workers")
        return
    finally:
        # The main process keeps no connection open: the pool's children have their own.
        connections.close_all()
    if dead:
        logger.warning("marked runs of dead workers as failed: %s", dead)
