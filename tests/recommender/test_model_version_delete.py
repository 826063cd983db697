"""Deleting a version removes its artifacts; the active and running ones are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.models import ModelVersion
from recommender.training import (
    ModelVersionRefused,
    model_version_activate,
    model_version_delete,
)
from tests.recommender.helpers import catalogue_create, version_train_in_process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


def test_delete_removes_the_row_and_the_artifact_folder():
    catalogue_create()
    version = version_train_in_process()
    folder = Path(version.artifacts_path)
    assert folder.is_dir()

    model_version_delete(version_id=version.pk)

    assert not ModelVersion.objects.filter(id=version.pk).exists()
    assert not folder.exists()
    assert list(folder.parent.iterdir()) == []


def test_the_active_version_cannot_be_deleted():
    catalogue_create()
    version = version_train_in_process()
    model_version_activate(version_id=version.pk)

    with pytest.raises(ModelVersionRefused, match="is active"):
        model_version_delete(version_id=version.pk)
    assert Path(version.artifacts_path).is_dir()
    assert ModelVersion.objects.filter(id=version.pk, is_active=True).exists()


def test_a_running_version_cannot_be_deleted():
    running = ModelVersion.objects.create(status=ModelVersion.Status.RUNNING)
    with pytest.raises(ModelVersionRefused, match="cancel it first"):
        model_version_delete(version_id=running.pk)
