"""Training runs as the admin sees them: create (enqueue), activate, roll back, cancel, delete.

Every run is a `ModelVersion` row; the row is the source of truth (Celery keeps no results).
States: queued -> running -> succeeded | failed | cancelled; queued -> cancelled | failed
(queue unavailable, worker lost). At most one succeeded version is active and at most one run
is running, across all workers (database constraints).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from recommender.artifacts import (
    artifacts_delete,
    artifacts_folder_for,
    manifest_verify,
)
from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

Status = ModelVersion.Status
Activation = ModelVersion.Activation

# The Word2VecParams fields a ModelVersion stores (workers is a property of the machine, not
# of the model: it changes speed, not what is learned beyond thread-scheduling noise).

# The Word2VecParams fields a ModelVersion stores (workers is a property of the machine, not
# of the model: it changes speed, not what is learned beyond thread-scheduling noise).
PARAM_FIELDS = tuple(f.name for f in fields(Word2VecParams) if f.name != "workers")

# Attempts at the finishing transaction when two runs activate at the same instant and the
# "one active" constraint rejects the second.
_ACTIVATION_ATTEMPTS = 3


class QueueUnavailable(Exception):
    """The broker could not take the training message; the run was recorded as failed."""


class ModelVersionRefused(Exception):
    """An admin action that does not apply to this version (e.g. deleting the active one)."""


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
