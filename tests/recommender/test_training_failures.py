"""A failing run is recorded as failed with a readable error; the active version stays."""

from __future__ import annotations

import pytest

from recommender.artifacts import artifacts_folder_for
from recommender.models import ModelVersion
from recommender.training import model_version_create
from tests.recommender.helpers import catalogue_create, finished, small_params, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def active_version() -> ModelVersion:
    """A version that is active before the failing run (its row is all the test needs)."""
    return ModelVersion.objects.create(
        status=ModelVersion.Status.SUCCEEDED,
        is_active=True,
        metrics={"model": {"hit_rate_at_10": 0.0}},
    )


def test_an_empty_corpus_fails_with_a_readable_error(worker, active_version):
    catalogue_create(playlists=[])
    version = model_version_create(params=small_params(), activate_when_done="always")

    done = wait_for(version.pk, finished)

    assert done.status == ModelVersion.Status.FAILED
    assert "corpus is empty" in done.error
    assert "Traceback" not in done.error
    assert not done.is_active
    assert done.finished_at is not None
    assert not artifacts_folder_for(done.pk).exists()
    active_version.refresh_from_db()
    assert active_version.is_active


def test_vector_size_zero_fails_naming_the_hyperparameter(worker, active_version):
    catalogue_create()
    version = model_version_create(params=small_params(vector_size=0), activate_when_done="always")

    done = wait_for(version.pk, finished)

    assert done.status == ModelVersion.Status.FAILED
    assert "vector_size must be at least 1" in done.error
    assert not artifacts_folder_for(done.pk).exists()
    assert ModelVersion.objects.get(is_active=True).pk == active_version.pk
