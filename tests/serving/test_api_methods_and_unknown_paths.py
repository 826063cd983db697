"""Wrong methods get a JSON 405 with Allow; unknown API paths a JSON 404 (not an HTML page)."""

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

GET_ROUTES = {
    "/api/songs": "/api/songs",
    "/api/songs/1": "/api/songs/{song_id}",
    "/api/songs/1/similar": "/api/songs/{song_id}/similar",
    "/api/models/active": "/api/models/active",
    "/api/map": "/api/map",
    "/api/schema": "/api/schema",
    "/healthz": "/healthz",
}


@pytest.mark.parametrize("url", GET_ROUTES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_endpoints_answer_405_to_writes(
    api: Client, active_version: ModelVersion, url: str, method: str
) -> None:
    response = getattr(api, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    body = assert_documented(response, GET_ROUTES[url])
    assert body["error"]["code"] == "method_not_allowed"
    assert method.upper() in body["error"]["message"]


@pytest.mark.parametrize("url", ["/api/", "/api", "/api/nothing", "/api/songs/1/similar/extra"])
def test_unknown_api_paths_are_json_404(api: Client, url: str) -> None:
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_pages_are_an_html_404(api: Client) -> None:
    response = api.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Nothing here" in response.content.decode()
