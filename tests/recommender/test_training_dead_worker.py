"""A run whose worker died is marked failed (at worker start and when the next run is claimed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from recommender.models import ModelVersion
from recommender.training import runs_dead_fail, training_run_execute, worker_identity
from tests.recommender.helpers import worker_start, worker_stop

pytestmark = pytest.mark.django_db

RUNNING = ModelVersion.Status.RUNNING


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


# At most one run is running at a time (a database constraint), so each case has one row.


def test_a_run_whose_worker_process_is_gone_is_marked_failed():
    host = socket.gethostname()
    dead = ModelVersion.objects.create(status=RUNNING, worker=f"{host}:{_dead_pid()}")

    assert runs_dead_fail() == [dead.pk]

    dead.refresh_from_db()
    assert dead.status == ModelVersion.Status.FAILED
    assert dead.error.startswith("worker died")


def test_a_run_whose_worker_process_is_alive_keeps_running():
    host = socket.gethostname()
    alive = ModelVersion.objects.create(status=RUNNING, worker=f"{host}:{os.getpid()}")

    assert runs_dead_fail() == []

    alive.refresh_from_db()
    assert alive.status == RUNNING


def test_a_run_whose_worker_is_a_zombie_is_marked_failed():
    # Killed, but never reaped by its parent (as when init does not reap orphans).
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        while _state(child.pid) != "Z":
            pass
        zombie = ModelVersion.objects.create(
            status=RUNNING, worker=f"{socket.gethostname()}:{child.pid}"
        )

        assert runs_dead_fail() == [zombie.pk]
    finally:
        child.wait()


def _state(pid: int) -> str:
    return open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()[0]


def test_a_run_on_another_machine_fails_only_when_its_heartbeat_is_older_than_any_run():
    long_ago = timezone.now() - timedelta(days=2)
    silent = ModelVersion.objects.create(
        status=RUNNING, worker="elsewhere:1", heartbeat_at=long_ago
    )
    assert runs_dead_fail() == [silent.pk]

    recent = ModelVersion.objects.create(
        status=RUNNING, worker="elsewhere:2", heartbeat_at=timezone.now()
    )
    assert runs_dead_fail() == []
    recent.refresh_from_db()
    assert recent.status == RUNNING


def test_claiming_a_run_first_fails_the_runs_of_dead_workers(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path
    host = socket.gethostname()
    dead = ModelVersion.objects.create(status=RUNNING, worker=f"{host}:{_dead_pid()}")

    # Nothing to claim (the id does not exist), but the clean-up still happens.
    assert training_run_execute(version_id=dead.pk + 1000) is None

    dead.refresh_from_db()
    assert dead.status == ModelVersion.Status.FAILED


def test_a_run_left_running_by_this_very_process_is_failed_when_it_claims_another(
    settings, tmp_path
):
    # What a run looks like when it failed while the database was away: still "running",
    # recorded under the live process that has since gone on to take the next message.
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path
    orphan = ModelVersion.objects.create(status=RUNNING, worker=worker_identity())

    assert runs_dead_fail() == []  # a plain check cannot tell it from a live run
    assert training_run_execute(version_id=orphan.pk + 1000) is None

    orphan.refresh_from_db()
    assert orphan.status == ModelVersion.Status.FAILED
    assert "ended without recording its result" in orphan.error


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_starts_fails_the_runs_its_dead_predecessor_left(test_env, tmp_path):
    host = socket.gethostname()
    orphan = ModelVersion.objects.create(status=RUNNING, worker=f"{host}:{_dead_pid()}")
    active = ModelVersion.objects.create(status=ModelVersion.Status.SUCCEEDED, is_active=True)
    # A queue of its own: this worker must not take messages meant for the session's worker.
    env = {**test_env, "RECOMMENDER_CELERY_QUEUE": f"{test_env['RECOMMENDER_CELERY_QUEUE']}-2"}

    worker = worker_start(env=env, log=tmp_path / "restarted.log", pool="solo")
    try:
        orphan.refresh_from_db()
    finally:
        worker_stop(worker)

    assert orphan.status == ModelVersion.Status.FAILED, worker.log_text()
    assert "worker died" in orphan.error
    assert ModelVersion.objects.get(is_active=True).pk == active.pk
