"""POST /api/next: what to play after a history, and a clear 4xx for every bad history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from recommender.ml.recommender import Recommender
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

ROUTE = "/api/next"


def play_next(api: Client, payload: object):
    return api.post(ROUTE, json.dumps(payload), content_type="application/json")


def test_the_answer_is_the_recommenders_next_for_that_history(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    history = [catalogue.id("Jolene"), catalogue.id("Ring of Fire"), catalogue.id("9 to 5")]
    body = assert_documented(play_next(api, {"history": history, "k": 8}), ROUTE, "post")
    expected = Recommender.load(Path(active_version.artifacts_path)).next(history, 8)
    assert [item["song"]["id"] for item in body["results"]] == expected.song_ids.tolist()
    for item, score in zip(body["results"], expected.scores.tolist(), strict=True):
        assert item["score"] == pytest.approx(score, abs=1e-6)
    assert [seed["id"] for seed in body["seeds"]] == history
    assert (body["model_version"], body["source"]) == (active_version.id, "model")
    # Radio plays country after country in this catalogue.
    tags = [item["song"]["tags"] for item in body["results"][:3]]
    assert all("country" in song_tags for song_tags in tags), tags


def test_history_excluded_and_artist_capped_songs_never_come_back(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    history = [catalogue.id("Fade To Black"), catalogue.id("One")]
    exclude = [catalogue.id("Enter Sandman"), 999_999]
    body = assert_documented(
        play_next(api, {"history": history, "k": 20, "exclude": exclude, "max_per_artist": 1}),
        ROUTE,
        "post",
    )
    ids = [item["song"]["id"] for item in body["results"]]
    assert len(ids) == 20 and len(set(ids)) == 20
    assert not set(ids) & {*history, *exclude}
    artists = [item["song"]["artist"] for item in body["results"]]
    assert len(artists) == len(set(artists))


def test_the_order_of_the_history_matters(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    pop, metal = catalogue.id("Billie Jean"), catalogue.id("Fade To Black")
    after_metal = assert_documented(play_next(api, {"history": [pop, metal]}), ROUTE, "post")
    after_pop = assert_documented(play_next(api, {"history": [metal, pop]}), ROUTE, "post")
    assert "metal" in after_metal["results"][0]["song"]["tags"]
    assert "pop" in after_pop["results"][0]["song"]["tags"]


@pytest.mark.parametrize(
    ("payload", "status", "code", "mentions"),
    [
        ({}, 422, "invalid_parameter", "history"),
        ({"history": []}, 422, "invalid_parameter", "history"),
        ({"history": "1,2"}, 422, "invalid_parameter", "history"),
        ({"history": [1.5]}, 422, "invalid_parameter", "history"),
        ({"history": [0, 1, 0]}, 422, "invalid_parameter", "more than once"),
        ({"history": list(range(10_000))}, 422, "too_many_ids", "50"),
        ({"history": [0], "k": 10**9}, 422, "invalid_parameter", "k"),
        ({"history": [0], "seeds": [1]}, 422, "invalid_parameter", "seeds"),
        ({"history": [777, 2**40]}, 404, "not_found", "777"),
    ],
)
def test_bad_histories_get_a_clear_4xx(
    api: Client,
    catalogue: Catalogue,
    active_version: ModelVersion,
    payload: dict,
    status: int,
    code: str,
    mentions: str,
) -> None:
    response = play_next(api, payload)
    assert response.status_code == status
    body = assert_documented(response, ROUTE, "post")
    assert body["error"]["code"] == code
    assert mentions in body["error"]["message"]


def test_a_body_that_is_not_json_is_400_and_other_methods_405(
    api: Client, active_version: ModelVersion
) -> None:
    response = api.post(ROUTE, "{", content_type="application/json")
    assert response.status_code == 400
    assert assert_documented(response, ROUTE, "post")["error"]["code"] == "malformed_json"
    response = api.get(ROUTE)
    assert response.status_code == 405 and response["Allow"] == "POST"
