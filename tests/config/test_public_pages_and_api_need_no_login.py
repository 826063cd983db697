"""Every route outside the admin answers an anonymous visitor (no login redirect, no 403),
and the recommendations POST needs no CSRF token: the site and its API are public."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLResolver, get_resolver

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


def _public_routes() -> list[str]:
    """Every route of ROOT_URLCONF except the admin's, as written (placeholders included)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != admin.site.name:
                    yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))


def _concrete(route: str, song_id: int) -> str:
    url = route
    # Django's own routes say <int:song_id>, django-ninja's (the API's) <song_id>.
    for placeholder in ("<str:song_id>", "<int:song_id>", "<song_id>"):
        url = url.replace(placeholder, str(song_id))
    # The catch-all under /api/ is a regex: any path below it.
    url = url.replace("^api(?:/(?P<rest>.*))?$", "api/nothing-here")
    assert "<" not in url and "(" not in url, f"teach this test to fill the route {route!r}"
    return "/" + url


def test_every_page_and_api_route_answers_anonymous_visitors(
    catalogue: Catalogue, active_version: ModelVersion
) -> None:
    client = Client()
    song = catalogue.id("Jolene")
    answered = {}
    for route in _public_routes():
        url = _concrete(route, song)
        params = {"q": "jolene"} if url == "/api/songs" else {}
        if url.startswith("/api/playlists/export."):
            params = {"songs": str(song)}
        response = client.get(url, params)
        answered[url] = response.status_code
        assert "Location" not in response, f"{url} redirects to {response['Location']}"
    # 200 everywhere, and the JSON 404 for the unknown API path; 405 for the POST-only ones.
    assert {url for url, status in answered.items() if status != 200} == {
        "/api/nothing-here",
        "/api/recommendations",
        "/api/next",
        "/api/radio",
    }
    assert answered["/api/recommendations"] == answered["/api/next"] == 405
    assert answered["/api/radio"] == 405
    assert len(answered) >= 14


@pytest.mark.parametrize(
    ("path", "field"), [("/api/recommendations", "seeds"), ("/api/next", "history")]
)
def test_the_post_endpoints_are_public_and_need_no_csrf_token(
    catalogue: Catalogue, active_version: ModelVersion, path: str, field: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path,
        json.dumps({field: [catalogue.id("Jolene")], "k": 3}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
