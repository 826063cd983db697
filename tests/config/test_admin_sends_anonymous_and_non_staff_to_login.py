"""Every admin URL, GET or POST, sends anonymous and non-staff users to the login page and
changes nothing; a non-staff account cannot log in to the admin either."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.config.admin_world import (
    admin_world_create,
    database_state,
    every_admin_url,
    hostile_posts,
)

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


@pytest.fixture(autouse=True)
def _artifacts(settings, tmp_path):
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"


def _member() -> Client:
    client = Client()
    client.force_login(User.objects.create_user("member", password="member-pw-1"))
    return client


@pytest.mark.parametrize("who", ["anonymous", "logged-in non-staff"])
def test_every_admin_url_redirects_to_login_and_changes_nothing(who: str) -> None:
    world = admin_world_create()
    client = Client() if who == "anonymous" else _member()
    before = database_state()
    wrong: list[str] = []
    checked = 0
    for route, url in every_admin_url(world):
        if route.name in ("login", "logout"):
            continue  # open to everyone; logging out would also end the member's session
        requests: list[tuple[str, Callable[[], Any]]] = [("GET", partial(client.get, url))]
        requests += [
            ("POST", partial(client.post, url, body)) for body in hostile_posts(world, route)
        ]
        for method, send in requests:
            response = send()
            checked += 1
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(f"{LOGIN}?next="):
                wrong.append(f"{method} {url} -> {response.status_code} {location}")
    assert not wrong, "\n".join(wrong)
    assert checked > 100  # the enumeration found the admin's routes
    assert database_state() == before


def test_a_non_staff_account_cannot_log_in_to_the_admin() -> None:
    User.objects.create_user("member", password="member-pw-1")
    client = Client()
    response = client.post(LOGIN, {"username": "member", "password": "member-pw-1"})
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
