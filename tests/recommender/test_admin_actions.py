"""Admin buttons and actions: activate, roll back, cancel, delete (through the services)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from recommender.models import ModelVersion
from tests.recommender.helpers import catalogue_create, version_train_in_process

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:recommender_modelversion_changelist")


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


@pytest.fixture
def admin_client_logged_in(client):
    client.force_login(User.objects.create_superuser("boss", password="x"))
    return client


def _active_id():
    return ModelVersion.objects.filter(is_active=True).values_list("id", flat=True).first()


def test_activate_and_roll_back_buttons(admin_client_logged_in):
    client = admin_client_logged_in
    catalogue_create()
    first, second = version_train_in_process(), version_train_in_process()

    for version in (first, second):
        url = reverse("admin:recommender_modelversion_activate", args=[version.pk])
        assert client.post(url).status_code == 302
        assert _active_id() == version.pk

    response = client.post(reverse("admin:recommender_modelversion_rollback"), follow=True)
    assert _active_id() == first.pk
    assert "rolled back" in response.content.decode()


def test_activate_via_get_is_not_allowed(admin_client_logged_in):
    version = ModelVersion.objects.create(status=ModelVersion.Status.SUCCEEDED)
    url = reverse("admin:recommender_modelversion_activate", args=[version.pk])
    assert admin_client_logged_in.get(url).status_code == 405


def test_cancel_action_on_a_queued_run(admin_client_logged_in):
    queued = ModelVersion.objects.create(status=ModelVersion.Status.QUEUED)
    response = admin_client_logged_in.post(
        CHANGELIST, {"action": "cancel_selected", "_selected_action": [queued.pk]}
    )
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == ModelVersion.Status.CANCELLED


def test_delete_action_removes_artifacts_and_refuses_the_active_version(admin_client_logged_in):
    client = admin_client_logged_in
    catalogue_create()
    active, old = version_train_in_process(), version_train_in_process()
    client.post(reverse("admin:recommender_modelversion_activate", args=[active.pk]))

    response = client.post(
        CHANGELIST,
        {"action": "delete_selected_versions", "_selected_action": [active.pk, old.pk]},
        follow=True,
    )

    assert "is active" in response.content.decode()
    assert list(ModelVersion.objects.values_list("id", flat=True)) == [active.pk]
    assert Path(active.artifacts_path).is_dir()
    assert not Path(old.artifacts_path).exists()
