"""A run longer than the task's time limit (from settings) is recorded as failed, readably."""

from __future__ import annotations

import pytest

from recommender.models import ModelVersion
from recommender.tasks import train_model_version
from tests.recommender.helpers import (
    catalogue_create,
    finished,
    wait_for,
    worker_start,
    worker_stop,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_run_over_the_soft_time_limit_fails_with_the_limit_in_the_error(test_env, tmp_path):
    catalogue_create()
    queue = f"{test_env['RECOMMENDER_CELERY_QUEUE']}-limit"
    env = {**test_env, "RECOMMENDER_CELERY_QUEUE": queue, "RECOMMENDER_TRAIN_SOFT_LIMIT": "2"}
    version = ModelVersion.objects.create(
        vector_size=8, epochs=1_000_000, activate_when_done="always"
    )

    worker = worker_start(env=env, log=tmp_path / "limited.log")
    try:
        # The publisher's limits travel in the message (this process has the default ones).
        train_model_version.apply_async(
            args=[version.pk], queue=queue, soft_time_limit=2, time_limit=60
        )
        done = wait_for(version.pk, finished, timeout=60)
    finally:
        worker_stop(worker)

    assert done.status == ModelVersion.Status.FAILED, worker.log_text()[-3000:]
    assert "took longer than its time limit of 2 s" in done.error
    assert not done.is_active
