"""Only staff reach the model admin: the train form, the actions and the progress endpoint."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from recommender.models import ModelVersion

pytestmark = pytest.mark.django_db

TRAIN = reverse("admin:recommender_modelversion_train")
CHANGELIST = reverse("admin:recommender_modelversion_changelist")
PROGRESS = reverse("admin:recommender_modelversion_progress")
ROLLBACK = reverse("admin:recommender_modelversion_rollback")


def _activate_url(version_id: int) -> str:
    return reverse("admin:recommender_modelversion_activate", args=[version_id])


@pytest.fixture
def member(client):
    user = User.objects.create_user("member", password="x")
    client.force_login(user)
    return user


@pytest.fixture
def staff_without_permissions(client):
    user = User.objects.create_user("helper", password="x", is_staff=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", [TRAIN, CHANGELIST, PROGRESS + "?ids=1"])
def test_anonymous_and_non_staff_users_are_sent_to_the_login_page(client, member, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.logout()
    assert client.get(url).status_code == 302


def test_a_non_staff_user_cannot_train_or_activate(client, member):
    version = ModelVersion.objects.create(status=ModelVersion.Status.SUCCEEDED)

    train = client.post(TRAIN, {"vector_size": 8})
    activate = client.post(_activate_url(version.pk))
    rollback = client.post(ROLLBACK)

    assert train.status_code == activate.status_code == rollback.status_code == 302
    assert ModelVersion.objects.count() == 1
    assert not ModelVersion.objects.filter(is_active=True).exists()


def test_staff_without_the_model_permissions_is_forbidden(client, staff_without_permissions):
    version = ModelVersion.objects.create(status=ModelVersion.Status.SUCCEEDED)

    assert client.get(TRAIN).status_code == 403
    assert client.post(_activate_url(version.pk)).status_code == 403
    assert client.get(PROGRESS + f"?ids={version.pk}").status_code == 403


def test_staff_with_permissions_reach_the_form_list_and_progress(client, staff_without_permissions):
    staff_without_permissions.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="recommender",
            codename__in=["add_modelversion", "view_modelversion"],
        )
    )
    version = ModelVersion.objects.create(status=ModelVersion.Status.RUNNING, progress_epoch=3)

    assert client.get(TRAIN).status_code == 200
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert "Train a new model" in listing.content.decode()
    progress = client.get(PROGRESS + f"?ids={version.pk}").json()
    assert progress["versions"][0]["progress_epoch"] == 3
    assert progress["versions"][0]["status"] == "running"
