"""Requests past the size limits (body, query string, number of fields, list lengths) get a
4xx that says what is wrong, on the API as JSON (a search too long to match anything may
instead find nothing); never a 500."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

RECOMMEND = "/api/recommendations"


def json_error(response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return error


def test_a_body_over_the_configured_limit_is_a_413_naming_the_limit(
    catalogue: Catalogue, active_version: ModelVersion
) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert 0 < limit <= 1024 * 1024  # the production default is small, not "unlimited"
    seed = catalogue.id("Jolene")
    padding = " " * (limit + 1)  # valid JSON, just too long
    body = json.dumps({"seeds": [seed], "k": 5}) + padding

    error = json_error(Client().post(RECOMMEND, body, content_type="application/json"), 413)

    assert error["code"] == "body_too_large"
    assert str(limit) in error["message"]
    # The same request within the limit is fine.
    fine = Client().post(RECOMMEND, json.dumps({"seeds": [seed], "k": 5}), "application/json")
    assert fine.status_code == 200


def test_lists_past_their_limits_are_422_even_within_the_body_limit(
    catalogue: Catalogue, active_version: ModelVersion
) -> None:
    client = Client()
    seeds = json.dumps({"seeds": list(range(10_000))})
    exclude = json.dumps({"seeds": [catalogue.id("Jolene")], "exclude": list(range(20_000))})
    assert len(exclude) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    assert "seeds" in json_error(client.post(RECOMMEND, seeds, "application/json"), 422)["message"]
    too_long = client.post(RECOMMEND, exclude, "application/json")
    assert "exclude" in json_error(too_long, 422)["message"]


def test_huge_query_strings_are_4xx_with_a_message(catalogue: Catalogue) -> None:
    client = Client()
    song = catalogue.id("Jolene")

    # A search longer than any title and artist finds nothing, or is refused outright.
    long_search = client.get("/api/songs", {"q": "x" * 1_000_000})
    if long_search.status_code == 200:
        assert long_search.json()["total"] == 0 and long_search.json()["results"] == []
    else:
        json_error(long_search, 422)
    json_error(client.get(f"/api/songs/{song}/similar", {"k": "9" * 100_000}), 422)
    json_error(client.get("/api/songs", {"limit": "1" * 100_000, "q": "jolene"}), 422)
    json_error(client.get(f"/api/songs/{'1' * 10_000}"), 422)
    many_fields = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    json_error(client.get(f"/api/songs?q=jolene&{many_fields}"), 400)


def test_oversized_form_posts_to_the_admin_are_400_not_500() -> None:
    client = Client()
    big = client.post("/admin/login/", {"username": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    many = client.post("/admin/login/", fields)
    assert big.status_code == 400
    assert many.status_code == 400
