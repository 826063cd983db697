"""Cancel: a running run stops after its current epoch, a queued one never starts."""

from __future__ import annotations

import pytest
from django.db import transaction

from recommender.artifacts import artifacts_folder_for, temp_folders
from recommender.models import ModelVersion
from recommender.training import model_version_cancel, model_version_create
from tests.recommender.helpers import catalogue_create, finished, small_params, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_cancelling_a_running_run_stops_it_without_artifacts(worker):
    catalogue_create()
    active = ModelVersion.objects.create(status=ModelVersion.Status.SUCCEEDED, is_active=True)
    # Far more epochs than the test waits for: only a cancel can end this run quickly.
    version = model_version_create(params=small_params(epochs=100_000), activate_when_done="always")
    wait_for(version.pk, lambda row: row.progress_epoch >= 2)

    model_version_cancel(version_id=version.pk)
    done = wait_for(version.pk, finished, timeout=30)

    assert done.status == ModelVersion.Status.CANCELLED
    assert done.progress_epoch < 100_000
    assert not artifacts_folder_for(done.pk).exists()
    assert not temp_folders()
    assert done.artifacts_path == ""
    assert ModelVersion.objects.get(is_active=True).pk == active.pk


def test_a_run_cancelled_while_queued_never_runs(worker):
    catalogue_create()
    with transaction.atomic():
        version = model_version_create(params=small_params(), activate_when_done="always")
        model_version_cancel(version_id=version.pk)
    # A later run on the same worker finishing proves the cancelled message was consumed.
    later = model_version_create(params=small_params(), activate_when_done="never")
    wait_for(later.pk, finished)

    cancelled = ModelVersion.objects.get(id=version.pk)
    assert cancelled.status == ModelVersion.Status.CANCELLED
    assert cancelled.started_at is None
    assert cancelled.progress_epoch == 0
    assert f"model version {version.pk} is not queued: nothing to do" in worker.log_text()
