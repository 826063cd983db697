"""A Celery prefork worker's pool process can fork the training's helpers: the run shares
its fit and evaluation out to two processes and stores the metrics of a one-process run."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.test import override_settings

from recommender.models import ModelVersion
from recommender.tasks import train_model_version
from tests.recommender.helpers import (
    catalogue_create,
    finished,
    small_params,
    version_row_create,
    version_train_in_process,
    wait_for,
    worker_start,
    worker_stop,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# One gensim thread: two trainings then learn the same vectors, so any difference in the
# metrics would come from sharing the work out.
PARAMS = small_params(workers=1)


def test_a_prefork_worker_shares_the_run_out_and_stores_the_one_process_metrics(
    test_env: dict[str, str], tmp_path: Path
) -> None:
    catalogue_create()
    queue = f"{test_env['RECOMMENDER_CELERY_QUEUE']}-forks"
    env = {**test_env, "RECOMMENDER_CELERY_QUEUE": queue, "RECOMMENDER_TRAIN_PROCESSES": "2"}
    worker = worker_start(env=env, log=tmp_path / "forks.log")  # the prefork pool
    try:
        version = version_row_create(params=PARAMS, task_id=f"forks-{uuid.uuid4()}")
        train_model_version.apply_async(args=[version.pk], task_id=version.task_id, queue=queue)
        shared = wait_for(version.pk, finished, timeout=120)
    finally:
        worker_stop(worker)
    assert shared.status == ModelVersion.Status.SUCCEEDED, worker.log_text()
    assert "statistics, fit and evaluation in 2 process(es)" in worker.log_text()

    with override_settings(RECOMMENDER_TRAIN_PROCESSES=1):
        alone = version_train_in_process(params=PARAMS)

    assert shared.metrics == alone.metrics
