"""An unknown id among known seeds is left out and named in `warnings`; the answer is the one
for the known seeds. Only when no seed is known is the answer a 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from playlists.models import Song
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

# Each route with the field that holds its seeds.
ROUTES = [
    ("/api/recommendations", "seeds"),
    ("/api/next", "history"),
    ("/api/radio", "seeds"),
]
UNKNOWN = 777


def post(api: Client, route: str, payload: dict[str, Any]) -> Any:
    response = api.post(route, json.dumps(payload), content_type="application/json")
    return response.status_code, assert_documented(response, route, "post")


def without_warnings(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "warnings"}


@pytest.mark.parametrize(("route", "field"), ROUTES)
def test_an_unknown_seed_among_known_ones_is_named_and_changes_nothing_else(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, route: str, field: str
) -> None:
    pop, metal = catalogue.id("Billie Jean"), catalogue.id("Fade To Black")
    status, body = post(api, route, {field: [pop, UNKNOWN, metal, 2**40]})
    assert status == 200
    [warning] = body["warnings"]
    assert warning["code"] == "unknown_seeds"
    assert warning["ids"] == [UNKNOWN, 2**40]
    assert str(UNKNOWN) in warning["message"] and str(2**40) in warning["message"]
    assert [seed["id"] for seed in body["seeds"]] == [pop, metal]

    status, plain = post(api, route, {field: [pop, metal]})
    assert status == 200
    assert plain["warnings"] == []
    assert without_warnings(body) == without_warnings(plain)


@pytest.mark.parametrize(("route", "field"), ROUTES)
def test_only_unknown_seeds_are_404(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, route: str, field: str
) -> None:
    status, body = post(api, route, {field: [UNKNOWN, UNKNOWN + 1]})
    assert status == 404
    assert body["error"]["code"] == "not_found"
    assert str(UNKNOWN) in body["error"]["message"]


def test_a_song_added_after_training_is_left_out_like_an_unknown_one(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    newer = Song.objects.create(
        id=max(catalogue.ids.values()) + 100, title="Newer Song", artist="Late Band"
    )
    pop = catalogue.id("Billie Jean")
    status, body = post(api, "/api/recommendations", {"seeds": [newer.id, pop]})
    assert status == 200
    assert [warning["ids"] for warning in body["warnings"]] == [[newer.id]]
    assert [seed["id"] for seed in body["seeds"]] == [pop]


def test_the_seed_limit_counts_unknown_ids_too(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Billie Jean"), *range(1_000, 1_050)]
    status, body = post(api, "/api/recommendations", {"seeds": seeds})
    assert status == 422
    assert body["error"]["code"] == "too_many_ids"
