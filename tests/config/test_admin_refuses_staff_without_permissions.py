"""Staff without a model's permissions are refused by every admin URL of that model (train,
activate, roll back, cancel, delete, add, change, progress), whatever they POST; staff who
may only view see the pages but still change nothing."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client

from tests.config.admin_world import (
    OWN_ACCOUNT,
    POST_ONLY,
    admin_world_create,
    database_state,
    every_admin_url,
    hostile_posts,
    model_permissions,
)

pytestmark = pytest.mark.django_db

REFUSED = {403, 404}
# What a view permission opens: lists, detail pages, their history, the app's index, the
# live progress of training runs, and the admin's redirects from /<id>/ to a detail page.
VIEW_ROUTES = ("_changelist", "_change", "_history", "_progress", "app_list")


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


def _staff(*, view_everything: bool) -> Client:
    user = User.objects.create_user("helper", password="helper-pw-1", is_staff=True)
    if view_everything:
        user.user_permissions.add(*model_permissions(*admin.site._registry, actions=("view",)))
    client = Client()
    client.force_login(user)
    return client


def _is_view_route(name: str) -> bool:
    if name.endswith("_password_change"):  # another user's password: a change, not a view
        return False
    return name.endswith(VIEW_ROUTES) or name.endswith("<path:object_id>/")


def test_staff_without_permissions_get_403_or_404_everywhere_but_their_own_account() -> None:
    world = admin_world_create()
    client = _staff(view_everything=False)
    before = database_state()
    wrong: list[str] = []
    for route, url in every_admin_url(world):
        if route.name in OWN_ACCOUNT:
            continue
        if route.name not in POST_ONLY:
            status = client.get(url, follow=True).status_code
            if status not in REFUSED:
                wrong.append(f"GET {url} -> {status}")
        for body in hostile_posts(world, route):
            status = client.post(url, body, follow=True).status_code
            if status not in REFUSED | {405}:
                wrong.append(f"POST {url} -> {status}")
    assert not wrong, "\n".join(wrong)
    assert database_state() == before


def test_staff_who_may_only_view_see_the_pages_but_cannot_train_or_change_anything() -> None:
    world = admin_world_create()
    client = _staff(view_everything=True)
    before = database_state()
    wrong: list[str] = []
    seen_pages = 0
    for route, url in every_admin_url(world):
        if route.name in OWN_ACCOUNT or route.name == "autocomplete":
            continue
        if _is_view_route(route.name):
            status = client.get(url, follow=True).status_code
            seen_pages += status == 200
            if status != 200:
                wrong.append(f"GET {url} -> {status}, expected 200")
        elif route.name not in POST_ONLY:
            status = client.get(url, follow=True).status_code
            if status not in REFUSED:
                wrong.append(f"GET {url} -> {status}")
        for body in hostile_posts(world, route):
            response = client.post(url, body, follow=True)
            # A changelist answers a POST of an action the user lacks with the list again.
            if route.name in POST_ONLY and response.status_code != 403:
                wrong.append(f"POST {url} -> {response.status_code}, expected 403")
    assert not wrong, "\n".join(wrong)
    assert seen_pages > 20
    assert database_state() == before


def test_a_training_permission_alone_does_not_allow_activating_or_deleting() -> None:
    from recommender.models import ModelVersion

    world = admin_world_create()
    user = User.objects.create_user("trainer", password="trainer-pw-1", is_staff=True)
    user.user_permissions.add(*model_permissions(ModelVersion, actions=("view", "add")))
    client = Client()
    client.force_login(user)
    before = database_state()

    activate = client.post(f"/admin/recommender/modelversion/{world.previous.pk}/activate/")
    cancel = client.post(f"/admin/recommender/modelversion/{world.queued.pk}/cancel/")
    rollback = client.post("/admin/recommender/modelversion/rollback/")
    delete = client.post(
        f"/admin/recommender/modelversion/{world.failed.pk}/delete/", {"post": "yes"}
    )

    assert [r.status_code for r in (activate, cancel, rollback, delete)] == [403] * 4
    assert database_state() == before
