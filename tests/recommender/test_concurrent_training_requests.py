"""Two training requests at once: one trains, the other waits queued and trains after it.

"One training at a time" is a database constraint (at most one running row), so it holds
across any number of workers and pool processes; never two writers at once.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from recommender.artifacts import artifacts_folder_for, manifest_verify
from recommender.models import ModelVersion
from recommender.tasks import train_model_version
from recommender.training import TrainingBusy, training_run_execute
from tests.recommender.helpers import (
    catalogue_create,
    small_params,
    version_row_create,
    worker_start,
    worker_stop,
)

QUEUED = ModelVersion.Status.QUEUED
RUNNING = ModelVersion.Status.RUNNING
SUCCEEDED = ModelVersion.Status.SUCCEEDED


@pytest.mark.django_db
def test_the_database_refuses_a_second_running_run():
    ModelVersion.objects.create(status=RUNNING)

    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.create(status=RUNNING)


@pytest.mark.django_db
def test_a_run_claimed_while_another_is_running_stays_queued_and_says_why():
    running = ModelVersion.objects.create(
        # Another live process on this host (our parent): this process claims, that one trains.
        status=RUNNING,
        worker=f"{socket.gethostname()}:{os.getppid()}",
    )
    waiting = version_row_create(params=small_params())

    with pytest.raises(TrainingBusy) as busy:
        training_run_execute(version_id=waiting.pk)

    assert busy.value.running_id == running.pk
    waiting.refresh_from_db()
    assert waiting.status == QUEUED
    assert waiting.started_at is None
    assert waiting.progress_message == f"waiting: version {running.pk} is training"


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_worker_does_not_block_the_next_one(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path
    catalogue_create()
    dead = ModelVersion.objects.create(
        status=RUNNING, worker=f"{socket.gethostname()}:{_dead_pid()}"
    )
    queued = version_row_create(params=small_params())

    done = training_run_execute(version_id=queued.pk)

    assert done is not None and done.status == SUCCEEDED, done and done.error
    assert ModelVersion.objects.get(id=dead.pk).status == ModelVersion.Status.FAILED


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_runs_requested_at_once_on_two_pool_processes_train_one_after_the_other(
    test_env, tmp_path
):
    catalogue_create()
    # Two pool processes on a queue of their own; a waiting run asks again every 0.2 s.
    queue = f"{test_env['RECOMMENDER_CELERY_QUEUE']}-pair"
    env = {**test_env, "RECOMMENDER_CELERY_QUEUE": queue, "RECOMMENDER_TRAIN_WAIT_SECONDS": "0.2"}
    worker = worker_start(env=env, log=tmp_path / "pair.log", concurrency=2)
    try:
        runs = [
            version_row_create(
                params=small_params(epochs=60),
                activate_when_done="always",
                task_id=str(uuid.uuid4()),
            )
            for _ in range(2)
        ]
        for run in runs:
            train_model_version.apply_async(args=[run.pk], task_id=run.task_id, queue=queue)
        messages = _progress_messages_until_finished([run.pk for run in runs])
    finally:
        worker_stop(worker)

    first, second = sorted(ModelVersion.objects.filter(id__in=[r.pk for r in runs]), key=_start)
    assert (first.status, second.status) == (SUCCEEDED, SUCCEEDED), worker.log_text()[-3000:]
    assert first.finished_at <= second.started_at  # never two at once
    assert f"waiting: version {first.pk} is training" in messages[second.pk]
    for run in (first, second):
        folder = Path(run.artifacts_path)
        assert folder == artifacts_folder_for(run.pk)
        assert manifest_verify(folder)["version_id"] == run.pk
    assert list(ModelVersion.objects.filter(is_active=True).values_list("id", flat=True)) == [
        second.pk
    ]


def _start(run: ModelVersion) -> object:
    return run.started_at


def _progress_messages_until_finished(ids: list[int], timeout: float = 90.0) -> dict[int, set]:
    seen: dict[int, set] = {pk: set() for pk in ids}
    deadline = time.monotonic() + timeout
    while True:
        rows = list(ModelVersion.objects.filter(id__in=ids))
        for row in rows:
            seen[row.pk].add(row.progress_message)
        if all(row.is_finished for row in rows):
            return seen
        assert time.monotonic() < deadline, [(r.pk, r.status, r.progress_message) for r in rows]
        time.sleep(0.02)


def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
