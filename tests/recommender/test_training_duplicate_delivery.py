"""A duplicated or redelivered training message does nothing: the run is claimed once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import transaction

from recommender.models import ModelVersion
from recommender.tasks import train_model_version
from recommender.training import model_version_create
from tests.recommender.helpers import catalogue_create, finished, small_params, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for_log(worker, text: str, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while worker.log_text().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} not seen {count} times in the worker log"
        time.sleep(0.05)


def _snapshot(version_id: int) -> dict[str, Any]:
    row: dict[str, Any] = dict(ModelVersion.objects.filter(id=version_id).values().get())
    row.pop("heartbeat_at")
    return row


def test_the_same_message_delivered_twice_trains_once(worker):
    catalogue_create()
    with transaction.atomic():
        version = model_version_create(params=small_params(), activate_when_done="never")
        # A second copy of the very same message (same task id), as a redelivery would be.
        transaction.on_commit(
            lambda: train_model_version.apply_async(args=[version.pk], task_id=version.task_id)
        )

    done = wait_for(version.pk, finished)
    assert done.status == ModelVersion.Status.SUCCEEDED, done.error
    _wait_for_log(worker, f"model version {version.pk} is not queued: nothing to do", 1)
    assert worker.log_text().count(f"model version {version.pk}: epoch 1 of") == 1


def test_a_message_for_a_finished_run_changes_nothing(worker):
    catalogue_create()
    version = model_version_create(params=small_params(), activate_when_done="always")
    done = wait_for(version.pk, finished)
    assert done.status == ModelVersion.Status.SUCCEEDED, done.error
    before = _snapshot(version.pk)
    manifest_before = (done.artifacts_path, sorted(p.name for p in _folder(done).iterdir()))

    train_model_version.apply_async(args=[version.pk], task_id=version.task_id)
    _wait_for_log(worker, f"model version {version.pk} is not queued: nothing to do", 1)

    assert _snapshot(version.pk) == before
    assert (done.artifacts_path, sorted(p.name for p in _folder(done).iterdir())) == manifest_before


def _folder(version: ModelVersion):
    from pathlib import Path

    return Path(version.artifacts_path)
