"""Before any model is active the model endpoints answer 503 JSON and the pages say so."""

import json

import pytest
from django.test import Client

from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db


def test_model_endpoints_are_503_with_a_message(api: Client, catalogue: Catalogue) -> None:
    seed = catalogue.id("Jolene")
    responses = {
        "/api/songs/{song_id}/similar": (api.get(f"/api/songs/{seed}/similar"), "get"),
        "/api/recommendations": (
            api.post(
                "/api/recommendations",
                json.dumps({"seeds": [seed]}),
                content_type="application/json",
            ),
            "post",
        ),
        "/api/models/active": (api.get("/api/models/active"), "get"),
        "/api/map": (api.get("/api/map"), "get"),
    }
    for route, (response, method) in responses.items():
        assert response.status_code == 503, route
        body = assert_documented(response, route, method)
        assert body["error"]["code"] == "no_active_model"
        assert "no model version is active" in body["error"]["message"]


def test_health_is_503_and_says_why(api: Client, catalogue: Catalogue) -> None:
    response = api.get("/healthz")
    assert response.status_code == 503
    body = assert_documented(response, "/healthz")
    assert body["database"] == "ok"
    assert body["model_version"] is None
    assert body["error"]["code"] == "no_active_model"


def test_pages_show_a_friendly_empty_state(api: Client, catalogue: Catalogue) -> None:
    for url in ("/", "/model", "/map", f"/songs/{catalogue.id('Jolene')}"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert "No model yet" in response.content.decode(), url
    assert "Jolene" in api.get(f"/songs/{catalogue.id('Jolene')}").content.decode()


def test_a_trained_but_inactive_version_does_not_serve(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    train_version(activate=False)
    assert api.get(f"/api/songs/{catalogue.id('Jolene')}/similar").status_code == 503
