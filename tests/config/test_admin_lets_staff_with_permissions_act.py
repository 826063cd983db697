"""Staff holding the model-version permissions can train, activate, roll back, cancel and
delete from the admin; a superuser opens every admin page, except what is read-only by design
(the catalogue belongs to the ingest, versions are created by training, not by a form)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from playlists.models import Dataset, Playlist, Song, Tag
from recommender.models import ModelVersion
from tests.config.admin_world import (
    ROWS_PER_MODEL,
    admin_world_create,
    every_admin_url,
    hostile_posts,
    model_permissions,
    train_form_data,
)
from tests.playlists.catalogue_snapshot import catalogue_snapshot

pytestmark = pytest.mark.django_db

Status = ModelVersion.Status
VERSIONS = "/admin/recommender/modelversion/"
CATALOGUE = (Song, Tag, Playlist, Dataset)


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


def _operator() -> Client:
    user = User.objects.create_user("operator", password="operator-pw-1", is_staff=True)
    user.user_permissions.add(
        *model_permissions(ModelVersion, actions=("view", "add", "change", "delete"))
    )
    client = Client()
    client.force_login(user)
    return client


def _active_id() -> int | None:
    return ModelVersion.objects.filter(is_active=True).values_list("id", flat=True).first()


def test_staff_with_the_version_permissions_can_train_activate_roll_back_cancel_and_delete(
    django_capture_on_commit_callbacks,
) -> None:
    world = admin_world_create()
    client = _operator()

    with django_capture_on_commit_callbacks(execute=False) as published:
        trained = client.post(f"{VERSIONS}train/", train_form_data())
    assert trained.status_code == 302 and len(published) == 1
    newest = ModelVersion.objects.order_by("-id").first()
    assert newest is not None and newest.status == Status.QUEUED

    assert client.post(f"{VERSIONS}{world.previous.pk}/activate/").status_code == 302
    assert _active_id() == world.previous.pk
    assert client.post(f"{VERSIONS}rollback/").status_code == 302
    assert _active_id() == world.active.pk

    assert client.post(f"{VERSIONS}{world.queued.pk}/cancel/").status_code == 302
    world.queued.refresh_from_db()
    assert world.queued.status == Status.CANCELLED

    deleted = client.post(f"{VERSIONS}{world.failed.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not ModelVersion.objects.filter(pk=world.failed.pk).exists()


def test_the_changelist_actions_work_for_staff_with_the_version_permissions() -> None:
    world = admin_world_create()
    client = _operator()

    def act(action: str, *versions: ModelVersion) -> None:
        body = {"action": action, "index": "0", "_selected_action": [v.pk for v in versions]}
        assert client.post(VERSIONS, body).status_code == 302

    act("activate_selected", world.previous)
    assert _active_id() == world.previous.pk
    act("cancel_selected", world.queued)
    assert ModelVersion.objects.get(pk=world.queued.pk).status == Status.CANCELLED
    act("delete_selected_versions", world.failed)
    assert not ModelVersion.objects.filter(pk=world.failed.pk).exists()


def test_a_superuser_opens_every_admin_page_except_the_read_only_ones() -> None:
    world = admin_world_create()
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="boss-pw-1"))
    statuses: dict[str, int] = {}
    for route, url in every_admin_url(world):
        if route.name == "logout":
            continue
        statuses[url] = client.get(url, follow=True).status_code
    not_200 = {url: status for url, status in statuses.items() if status != 200}
    expected = {
        # Read-only by design: the ingest owns the catalogue, training creates versions.
        **{f"/admin/playlists/{m._meta.model_name}/add/": 403 for m in CATALOGUE},
        **{
            f"/admin/playlists/{m._meta.model_name}/{pk}/delete/": 403
            for m in CATALOGUE
            for pk in world.ids(m)[:ROWS_PER_MODEL]
        },
        f"{VERSIONS}add/": 403,
        f"{VERSIONS}{world.active.pk}/delete/": 403,  # the active version cannot be deleted
        # Only POST.
        **{url: 405 for url in statuses if url.endswith(("/activate/", "/cancel/", "/rollback/"))},
        "/admin/autocomplete/": 403,  # needs its query parameters
        "/admin/no-such-page/": 404,
        # Songs have no page of their own on the site to jump to.
        **{url: 404 for url in statuses if url.startswith("/admin/r/")},
    }
    assert not_200 == expected


def test_not_even_a_superuser_can_edit_the_catalogue_in_the_admin() -> None:
    world = admin_world_create()
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="boss-pw-1"))
    before = catalogue_snapshot()
    for route, url in every_admin_url(world):
        if route.model in CATALOGUE:
            for body in hostile_posts(world, route):
                client.post(url, body)
    assert catalogue_snapshot() == before
