"""familiarity on every list endpoint: 1 leans to well-known songs, 0 to the long tail."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.test import Client

from playlists.models import Song
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db


def ids_of(api: Client, endpoint: str, catalogue: Catalogue, familiarity: object) -> list[int]:
    seeds = [catalogue.id("Jolene"), catalogue.id("Ring of Fire")]
    if endpoint == "similar":
        query: dict[str, str | int] = {"k": 15}
        if familiarity is not None:
            query["familiarity"] = str(familiarity)
        route = "/api/songs/{song_id}/similar"
        response = api.get(f"/api/songs/{seeds[0]}/similar", query)
        body = assert_documented(response, route)
    else:
        route = "/api/recommendations" if endpoint == "recommendations" else "/api/next"
        field = "seeds" if endpoint == "recommendations" else "history"
        payload: dict[str, object] = {field: seeds, "k": 15}
        if familiarity is not None:
            payload["familiarity"] = familiarity
        response = api.post(route, json.dumps(payload), content_type="application/json")
        body = assert_documented(response, route, "post")
    return [item["song"]["id"] for item in body["results"]]


@pytest.mark.parametrize("endpoint", ["similar", "recommendations", "next"])
def test_familiarity_one_lists_more_played_songs_than_zero_and_half_is_the_default(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, endpoint: str
) -> None:
    plays = dict(Song.objects.values_list("id", "play_count"))

    def mean_plays(familiarity: float) -> float:
        return float(np.mean([plays[s] for s in ids_of(api, endpoint, catalogue, familiarity)]))

    assert mean_plays(1.0) > mean_plays(0.0)
    assert ids_of(api, endpoint, catalogue, 0.5) == ids_of(api, endpoint, catalogue, None)


@pytest.mark.parametrize("endpoint", ["recommendations", "next"])
@pytest.mark.parametrize("value", [-1, 2, "abc", None, True, [0.5]])
def test_a_familiarity_outside_0_to_1_is_a_clear_422(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, endpoint: str, value: object
) -> None:
    field = "seeds" if endpoint == "recommendations" else "history"
    response = api.post(
        f"/api/{endpoint}",
        json.dumps({field: [catalogue.id("Jolene")], "familiarity": value}),
        content_type="application/json",
    )
    body = assert_documented(response, f"/api/{endpoint}", "post")
    assert response.status_code == 422
    assert "familiarity" in body["error"]["message"]


@pytest.mark.parametrize("value", ["-1", "2", "abc", "nan", "1e400", "0x1"])
def test_a_bad_familiarity_query_on_similar_is_a_clear_422(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, value: str
) -> None:
    response = api.get(f"/api/songs/{catalogue.id('Jolene')}/similar", {"familiarity": value})
    body = assert_documented(response, "/api/songs/{song_id}/similar")
    assert response.status_code == 422
    assert "familiarity" in body["error"]["message"]
