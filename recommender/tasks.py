"""Celery plumbing only: the training task and the worker start-up clean-up."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import connections

from recommender.training import runs_dead_fail, training_run_execute

logger = logging.getLogger(__name__)


# The limits travel in each message from the publisher's settings (web or command line), so
# set RECOMMENDER_TRAIN_SOFT_LIMIT alike for them and the worker. A run over the soft limit is
# recorded as failed; the broker's visibility timeout (settings) stays above the hard limit.
@shared_task(
    bind=True,
    name="recommender.train_model_version",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def train_model_version(self: Task, version_id: int) -> None:
    """Train one queued model version; a duplicate or redelivered message does nothing."""
    training_run_execute(version_id=version_id, time_limit_seconds=_soft_limit(self))


def _soft_limit(task: Task) -> float | None:
    # The message carries (hard, soft) limits when the publisher set them; else the task's own.
    limits = task.request.timelimit or (None, None)
    return limits[1] or task.soft_time_limit


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
