"""A worker killed (SIGKILL) mid-training: the run ends failed, no half folder is left, the
active version keeps serving.

Two ways to die: the pool process running the task alone (the main worker process survives
and records the loss at once), or the whole worker (the next worker to start records it).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from django.test import Client

from recommender import serving
from recommender.artifacts import artifacts_folder_for, temp_folders
from recommender.models import ModelVersion
from recommender.tasks import train_model_version
from recommender.training import model_version_create, training_run_execute
from tests.recommender.helpers import (
    catalogue_create,
    finished,
    run_pid,
    small_params,
    version_row_create,
    wait_for,
    worker_kill_all,
    worker_start,
    worker_stop,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FAILED = ModelVersion.Status.FAILED
# Far more epochs than any test waits for: only the kill can end these runs.
ENDLESS = small_params(epochs=1_000_000)


@pytest.fixture
def api(settings: Any) -> Iterator[Client]:
    """The JSON API as this process serves it, from a cold start and a fresh active check."""
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0
    settings.RECOMMENDER_API_RATE_LIMIT = 0
    serving.serving_reset()
    yield Client()
    serving.serving_reset()


def _active_version() -> ModelVersion:
    # Trained in this process (a row made directly publishes no message), then activated.
    version = version_row_create(params=small_params(), activate_when_done="always")
    training_run_execute(version_id=version.pk)
    version.refresh_from_db()
    assert version.is_active, version.error
    return version


def _training(version_id: int) -> ModelVersion:
    """Wait until the run is past its first epoch: the kill lands in the middle of training."""
    return wait_for(
        version_id,
        lambda row: row.status == ModelVersion.Status.RUNNING and row.progress_epoch >= 1,
    )


def _half_written_folder(version_id: int, artifacts_dir: Path) -> Path:
    # What a writer killed before its rename leaves (the kill cannot be timed to land inside
    # artifacts_write, so the folder is laid down here, named as artifacts_write names it).
    folder = artifacts_dir / f".tmp-v{version_id}-killedwriter"
    folder.mkdir()
    (folder / "song_ids.npy").write_bytes(b"\x93NUMPY half")
    return folder


def _assert_still_serving(api: Client, active: ModelVersion) -> None:
    answer = api.get("/api/songs/0/similar?k=3")
    assert answer.status_code == 200, answer.content
    assert answer.json()["model_version"] == active.pk
    assert api.get("/healthz").json()["model_version"] == active.pk


def test_a_pool_process_killed_mid_training_fails_its_run_at_once_and_the_worker_goes_on(
    worker, api, artifacts_dir
):
    catalogue_create()
    active = _active_version()
    version = model_version_create(params=ENDLESS, activate_when_done="always")
    running = _training(version.pk)
    leftover = _half_written_folder(version.pk, artifacts_dir)

    os.kill(run_pid(running), signal.SIGKILL)
    done = wait_for(version.pk, finished, timeout=30)

    # Recorded by the surviving main process (task_failure), not by a later claim.
    assert done.status == FAILED
    assert "the worker process running it was killed (signal 9" in done.error
    assert "; last step: epoch " in done.error  # where it was when it died
    assert not leftover.exists()
    assert not artifacts_folder_for(version.pk).exists()
    assert ModelVersion.objects.get(is_active=True).pk == active.pk
    _assert_still_serving(api, active)
    # The killed run holds no "one training at a time" slot: the next run trains.
    after = wait_for(
        model_version_create(params=small_params(), activate_when_done="never").pk, finished
    )
    assert after.status == ModelVersion.Status.SUCCEEDED, after.error


def test_a_whole_worker_killed_mid_training_leaves_a_run_the_next_worker_fails(
    test_env, tmp_path, api, artifacts_dir
):
    catalogue_create()
    active = _active_version()
    # A worker of its own, on a queue of its own, that can be killed with its pool at once.
    queue = f"{test_env['RECOMMENDER_CELERY_QUEUE']}-killed"
    env = {**test_env, "RECOMMENDER_CELERY_QUEUE": queue}
    doomed = worker_start(env=env, log=tmp_path / "doomed.log", own_process_group=True)
    version = version_row_create(
        params=ENDLESS, activate_when_done="always", task_id=f"killed-{uuid.uuid4()}"
    )
    try:
        train_model_version.apply_async(args=[version.pk], task_id=version.task_id, queue=queue)
        running = _training(version.pk)
    finally:
        worker_kill_all(doomed)
        # Its message stays unacknowledged in Redis until the visibility timeout (hours).
        _forget_unacked(test_env["REDIS_URL"], queue)
    leftover = _half_written_folder(version.pk, artifacts_dir)

    # Nobody was left to record anything.
    assert ModelVersion.objects.get(id=version.pk).status == ModelVersion.Status.RUNNING
    with pytest.raises(ProcessLookupError):
        os.kill(doomed.process.pid, 0)

    successor = worker_start(env=env, log=tmp_path / "successor.log", pool="solo")
    try:
        done = ModelVersion.objects.get(id=version.pk)
    finally:
        worker_stop(successor)

    assert done.status == FAILED, successor.log_text()
    assert (
        done.error == f"worker died: process {run_pid(running)} on {socket.gethostname()} is gone"
    )
    assert not leftover.exists()
    assert not artifacts_folder_for(version.pk).exists()
    assert not [path for path in temp_folders() if f"-v{version.pk}-" in path.name]
    assert ModelVersion.objects.get(is_active=True).pk == active.pk
    _assert_still_serving(api, active)


def _forget_unacked(redis_url: str, queue: str) -> None:
    """Drop the killed worker's unacknowledged message (kombu keeps it in the "unacked" hash
    and would put it back on the queue hours later, after this session is gone)."""
    client = redis.Redis.from_url(redis_url)
    try:
        unacked = cast(dict[Any, bytes], client.hgetall("unacked"))
        for tag, payload in unacked.items():
            if json.loads(payload)[2] == queue:  # [message, exchange, routing key]
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()
