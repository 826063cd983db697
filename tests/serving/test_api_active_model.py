"""GET /api/models/active and /healthz name the serving version with its settings and metrics."""

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db


def test_active_model_shows_hyperparameters_and_metrics(
    api: Client, active_version: ModelVersion
) -> None:
    body = assert_documented(api.get("/api/models/active"), "/api/models/active")
    assert body["id"] == active_version.id
    assert body["status"] == "succeeded"
    assert body["hyperparameters"] == active_version.hyperparameters
    assert body["hyperparameters"]["vector_size"] == 16
    assert body["metrics"] == active_version.metrics
    assert body["metrics"]  # the training run measured something
    assert body["songs_with_vectors"] == 48
    assert active_version.activated_at is not None
    assert body["activated_at"].startswith(str(active_version.activated_at.date()))


def test_health_says_ok_and_which_version(api: Client, active_version: ModelVersion) -> None:
    body = assert_documented(api.get("/healthz"), "/healthz")
    assert body == {"status": "ok", "database": "ok", "model_version": active_version.id}


def test_health_is_503_when_the_active_versions_files_are_gone(
    api: Client, active_version: ModelVersion
) -> None:
    import shutil

    shutil.rmtree(active_version.artifacts_path)
    response = api.get("/healthz")
    assert response.status_code == 503
    body = assert_documented(response, "/healthz")
    assert body["model_version"] is None
    assert f"version {active_version.id} could not be loaded" in body["error"]["message"]
