"""Bad recommendation requests get a JSON error with the right status, never a 500."""

import json

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

ROUTE = "/api/recommendations"


def post_raw(api: Client, body: str | bytes, content_type: str = "application/json"):
    return api.post(ROUTE, body, content_type=content_type)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "{",
        "seeds=1",
        "[1, 2]",
        '"text"',
        "null",
        b"\xff\xfe{",
        "{'seeds': [1]}",
        # Within the size limit but deeper than the parser's recursion limit (was a 500).
        "[" * 100_000,
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(
    api: Client, active_version: ModelVersion, body: str | bytes
) -> None:
    response = post_raw(api, body)
    assert response.status_code == 400
    assert assert_documented(response, ROUTE, "post")["error"]["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("payload", "mentions"),
    [
        ({}, "seeds"),
        ({"seeds": []}, "seeds"),
        ({"seeds": "1,2"}, "seeds"),
        ({"seeds": ["1"]}, "seeds"),
        ({"seeds": [1.5]}, "seeds"),
        ({"seeds": [True]}, "seeds"),
        ({"seeds": [None]}, "seeds"),
        ({"seeds": [0], "k": 0}, "k"),
        ({"seeds": [0], "k": 101}, "k"),
        ({"seeds": [0], "k": "10"}, "k"),
        ({"seeds": [0], "k": 10.5}, "k"),
        ({"seeds": [0], "exclude": 3}, "exclude"),
        ({"seeds": [0], "exclude": ["x"]}, "exclude"),
        ({"seeds": [0], "max_per_artist": 0}, "max_per_artist"),
        ({"seeds": [0], "max_per_artist": "1"}, "max_per_artist"),
        ({"seeds": [0], "limit": 5}, "limit"),
    ],
)
def test_invalid_values_are_422_and_say_which_field(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, payload: dict, mentions: str
) -> None:
    response = post_raw(api, json.dumps(payload))
    assert response.status_code == 422
    body = assert_documented(response, ROUTE, "post")
    assert body["error"]["code"] == "invalid_parameter"
    assert mentions in body["error"]["message"]


def test_more_than_50_seeds_is_422(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    response = post_raw(api, json.dumps({"seeds": list(range(51))}))
    assert response.status_code == 422
    body = assert_documented(response, ROUTE, "post")
    assert body["error"]["code"] == "too_many_ids"
    assert "50" in body["error"]["message"]
    # 50 is still fine (ids 0..47 are placed songs, 48 and 49 are the two without a vector).
    assert post_raw(api, json.dumps({"seeds": list(range(50))})).status_code == 200


def test_only_unknown_seeds_are_404_and_listed(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    response = post_raw(api, json.dumps({"seeds": [777, 2**40]}))
    assert response.status_code == 404
    body = assert_documented(response, ROUTE, "post")
    assert body["error"]["code"] == "not_found"
    assert "777" in body["error"]["message"]
    assert str(2**40) in body["error"]["message"]


def test_a_body_over_the_size_limit_is_413(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = {"seeds": [catalogue.id("Jolene")], "exclude": list(range(300))}
    response = post_raw(api, json.dumps(payload))
    assert response.status_code == 413
    body = assert_documented(response, ROUTE, "post")
    assert body["error"]["code"] == "body_too_large"
    assert "1024" in body["error"]["message"]


def test_other_methods_are_405_with_allow(api: Client, active_version: ModelVersion) -> None:
    for method in ("get", "put", "delete", "patch"):
        response = getattr(api, method)(ROUTE)
        assert response.status_code == 405, method
        assert response["Allow"] == "POST"
        assert assert_documented(response, ROUTE, "post")["error"]["code"] == "method_not_allowed"


def test_a_form_post_without_json_is_400_not_a_csrf_page(active_version: ModelVersion) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(ROUTE, {"seeds": "1"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
