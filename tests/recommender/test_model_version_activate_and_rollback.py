"""Activate any succeeded version; roll back to the one that was active before."""

from __future__ import annotations

import pytest

from recommender.models import ModelVersion
from recommender.training import (
    ModelVersionRefused,
    model_version_activate,
    model_version_rollback,
)
from tests.recommender.helpers import catalogue_create, version_train_in_process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


def _active_id() -> int | None:
    return ModelVersion.objects.filter(is_active=True).values_list("id", flat=True).first()


def test_activate_switches_the_single_active_version_and_rollback_returns():
    catalogue_create()
    first = version_train_in_process()
    second = version_train_in_process()
    assert _active_id() is None  # both trained with activate_when_done="never"

    model_version_activate(version_id=first.pk)
    assert _active_id() == first.pk
    model_version_activate(version_id=second.pk)
    assert _active_id() == second.pk
    assert ModelVersion.objects.filter(is_active=True).count() == 1

    rolled_back_to = model_version_rollback()
    assert rolled_back_to.pk == first.pk
    assert _active_id() == first.pk


def test_rollback_without_a_previous_version_is_refused():
    catalogue_create()
    only = version_train_in_process()
    model_version_activate(version_id=only.pk)

    with pytest.raises(ModelVersionRefused, match="no previously active version"):
        model_version_rollback()
    assert _active_id() == only.pk


def test_a_failed_version_cannot_be_activated():
    failed = ModelVersion.objects.create(status=ModelVersion.Status.FAILED, error="boom")

    with pytest.raises(ModelVersionRefused, match="only a succeeded version"):
        model_version_activate(version_id=failed.pk)
    assert _active_id() is None


def test_a_version_whose_artifacts_were_tampered_with_cannot_be_activated():
    catalogue_create()
    version = version_train_in_process()
    from pathlib import Path

    (Path(version.artifacts_path) / "songs.faiss").write_bytes(b"not an index")

    with pytest.raises(ModelVersionRefused, match="does not match the manifest"):
        model_version_activate(version_id=version.pk)
    assert _active_id() is None


def test_better_policy_activates_only_when_at_least_as_good():
    catalogue_create()
    ModelVersion.objects.create(
        status=ModelVersion.Status.SUCCEEDED,
        is_active=True,
        metrics={"model": {"hit_rate_at_10": 1.01}},  # unbeatable: a hit rate is at most 1
    )
    worse = version_train_in_process(activate_when_done="better")
    assert not worse.is_active

    ModelVersion.objects.filter(is_active=True).update(metrics={"model": {"hit_rate_at_10": 0}})
    better = version_train_in_process(activate_when_done="better")
    assert better.is_active
    assert _active_id() == better.pk
