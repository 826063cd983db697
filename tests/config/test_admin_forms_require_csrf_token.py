"""Every POST to the admin needs the CSRF token: without it 403 and nothing changes; the
pages' own forms carry the token and work with it. Login needs it too."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from recommender.models import ModelVersion
from tests.config.admin_world import (
    AdminWorld,
    admin_world_create,
    database_state,
    every_admin_url,
    hostile_posts,
    train_form_data,
)

pytestmark = pytest.mark.django_db

VERSIONS = "/admin/recommender/modelversion/"
_FORM = re.compile(r"(<form\b[^>]*>)(.*?)</form>", re.DOTALL)
_TOKEN = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


@pytest.fixture
def world() -> AdminWorld:
    return admin_world_create()


@pytest.fixture
def boss() -> Client:
    """A superuser's browser: the test client checks CSRF like the real middleware."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_superuser("boss", password="boss-pw-1"))
    return client


def form_token(client: Client, page: str, opening_tag: str) -> str:
    """The CSRF token inside the form whose opening tag is `opening_tag` on `page`."""
    html = client.get(page).content.decode()
    forms = {opening: body for opening, body in _FORM.findall(html)}
    assert opening_tag in forms, f"no {opening_tag} on {page}: {list(forms)}"
    match = _TOKEN.search(forms[opening_tag])
    assert match, f"the form {opening_tag} on {page} has no CSRF token"
    return match.group(1)


def _active_id() -> int | None:
    return ModelVersion.objects.filter(is_active=True).values_list("id", flat=True).first()


def test_every_admin_post_without_a_token_is_403_and_changes_nothing(
    world: AdminWorld, boss: Client
) -> None:
    before = database_state()
    wrong = []
    for route, url in every_admin_url(world):
        for body in hostile_posts(world, route):
            response = boss.post(url, body)
            if response.status_code != 403 or b"CSRF" not in response.content:
                wrong.append(f"POST {url} -> {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert database_state() == before
    # Logging out is a POST too: without the token the superuser is still logged in.
    assert boss.get("/admin/").status_code == 200


def test_the_train_form_works_with_its_token(world: AdminWorld, boss: Client) -> None:
    token = form_token(boss, f"{VERSIONS}train/", '<form method="post" novalidate>')
    count = ModelVersion.objects.count()

    response = boss.post(f"{VERSIONS}train/", {**train_form_data(), "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert ModelVersion.objects.count() == count + 1


def test_activate_roll_back_and_cancel_buttons_work_with_their_tokens(
    world: AdminWorld, boss: Client
) -> None:
    activate = f"{VERSIONS}{world.previous.pk}/activate/"
    token = form_token(
        boss, f"{VERSIONS}{world.previous.pk}/change/", f'<form method="post" action="{activate}">'
    )
    assert boss.post(activate, {"csrfmiddlewaretoken": token}).status_code == 302
    assert _active_id() == world.previous.pk

    rollback = f"{VERSIONS}rollback/"
    token = form_token(boss, VERSIONS, f'<form method="post" action="{rollback}">')
    assert boss.post(rollback, {"csrfmiddlewaretoken": token}).status_code == 302
    assert _active_id() == world.active.pk

    cancel = f"{VERSIONS}{world.queued.pk}/cancel/"
    token = form_token(
        boss, f"{VERSIONS}{world.queued.pk}/change/", f'<form method="post" action="{cancel}">'
    )
    assert boss.post(cancel, {"csrfmiddlewaretoken": token}).status_code == 302
    assert ModelVersion.objects.get(pk=world.queued.pk).status == ModelVersion.Status.CANCELLED


def test_the_changelist_actions_and_the_delete_page_work_with_their_tokens(
    world: AdminWorld, boss: Client
) -> None:
    token = form_token(boss, VERSIONS, '<form id="changelist-form" method="post" novalidate>')
    action = {"action": "delete_selected_versions", "index": "0", "csrfmiddlewaretoken": token}
    assert boss.post(VERSIONS, {**action, "_selected_action": [world.failed.pk]}).status_code == 302
    assert not ModelVersion.objects.filter(pk=world.failed.pk).exists()

    delete = f"{VERSIONS}{world.queued.pk}/delete/"
    token = form_token(boss, delete, '<form method="post">')
    assert boss.post(delete, {"post": "yes", "csrfmiddlewaretoken": token}).status_code == 302
    assert not ModelVersion.objects.filter(pk=world.queued.pk).exists()


def test_logging_in_needs_the_token() -> None:
    User.objects.create_superuser("boss", password="boss-pw-1")
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "boss", "password": "boss-pw-1"}

    refused = client.post("/admin/login/", credentials)
    assert refused.status_code == 403
    assert client.get("/admin/").status_code == 302  # still anonymous

    token = form_token(
        client, "/admin/login/", '<form action="/admin/login/" method="post" id="login-form">'
    )
    logged_in = client.post("/admin/login/", {**credentials, "csrfmiddlewaretoken": token})
    assert logged_in.status_code == 302
    assert client.get("/admin/").status_code == 200
