"""CSRF checks are skipped only for the JSON API, which changes nothing and ignores the
session: a logged-in superuser's cookie gets the same answers as no cookie at all."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLResolver, get_resolver

from recommender.models import ModelVersion
from tests.config.admin_world import database_state
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


def _exempt_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif getattr(pattern.callback, "csrf_exempt", False):
                yield prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))


def test_only_api_routes_and_the_health_check_are_csrf_exempt() -> None:
    exempt = _exempt_routes()
    assert "api/recommendations" in exempt
    outside = [r for r in exempt if not r.startswith(("api/", "^api", "healthz"))]
    assert outside == [], f"CSRF-exempt routes outside the stateless API: {outside}"


def test_a_session_cookie_changes_nothing_on_the_exempt_routes(
    catalogue: Catalogue, active_version: ModelVersion
) -> None:
    song = catalogue.id("Jolene")
    boss = Client(enforce_csrf_checks=True)
    boss.force_login(User.objects.create_superuser("boss", password="boss-pw-1"))
    anonymous = Client(enforce_csrf_checks=True)
    body = json.dumps({"seeds": [song], "k": 5})
    before = database_state()
    for route in _exempt_routes():
        url = "/" + route.replace("<str:song_id>", str(song))
        url = url.replace("/^api(?:/(?P<rest>.*))?$", "/api/elsewhere")
        for method in ("post", "put", "delete"):
            as_boss = getattr(boss, method)(url, body, content_type="application/json")
            as_nobody = getattr(anonymous, method)(url, body, content_type="application/json")
            assert as_boss.status_code == as_nobody.status_code, (method, url)
            assert as_boss.content == as_nobody.content, (method, url)
            assert as_boss.status_code != 403 and not as_boss.cookies
    assert database_state() == before
