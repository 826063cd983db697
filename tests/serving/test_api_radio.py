"""POST /api/radio: a station after the seeds, and a clear 4xx for every bad request."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.test import Client

from recommender.api_limits import MAX_ARTIST_GAP, MAX_RADIO_LENGTH
from recommender.ml.recommender import Recommender
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

ROUTE = "/api/radio"


def radio(api: Client, payload: object):
    return api.post(ROUTE, json.dumps(payload), content_type="application/json")


def station_ids(api: Client, payload: object) -> list[int]:
    body = assert_documented(radio(api, payload), ROUTE, "post")
    return [song["id"] for song in body["songs"]]


def test_station_is_documented_ordered_and_never_repeats(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Jolene"), catalogue.id("Ring of Fire")]
    body = assert_documented(radio(api, {"seeds": seeds, "length": 20}), ROUTE, "post")
    ids = [song["id"] for song in body["songs"]]
    assert len(ids) == 20 and body["complete"] is True
    assert len(set(ids)) == 20 and not set(ids) & set(seeds)
    assert [song["position"] for song in body["songs"]] == list(range(1, 21))
    assert [seed["id"] for seed in body["seeds"]] == seeds
    assert body["model_version"] == active_version.id
    assert body["songs"][0]["source"] == "model"
    # Radio plays country after country in this catalogue.
    assert "country" in body["songs"][0]["tags"]


def test_station_honours_artist_gap(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Fade To Black")]
    body = assert_documented(
        radio(api, {"seeds": seeds, "length": 20, "artist_gap": 4}), ROUTE, "post"
    )
    artists = [body["seeds"][0]["artist"], *(song["artist"] for song in body["songs"])]
    for i in range(1, len(artists)):
        assert artists[i] not in artists[max(0, i - 4) : i], artists


def test_same_request_same_station_and_another_seed_can_differ(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    payload = {"seeds": [catalogue.id("Jolene")], "length": 15, "seed": 1}
    first = station_ids(api, payload)
    assert station_ids(api, payload) == first
    others = {tuple(station_ids(api, {**payload, "seed": s})) for s in range(2, 8)}
    assert others - {tuple(first)}


def test_familiarity_one_is_more_popular_than_zero(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    plays = Recommender.load(Path(active_version.artifacts_path)).statistics.plays
    seeds = [catalogue.id("Jolene")]

    def mean_plays(familiarity: float) -> float:
        ids = station_ids(api, {"seeds": seeds, "length": 15, "familiarity": familiarity})
        return float(np.mean(plays[ids]))

    assert mean_plays(1.0) > mean_plays(0.0)


def test_only_unknown_seeds_is_404_with_the_error_body(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    response = radio(api, {"seeds": [999_999, 888_888]})
    body = assert_documented(response, ROUTE, "post")
    assert response.status_code == 404
    assert body["error"]["code"] == "not_found" and "999999" in body["error"]["message"]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"seeds": [1], "length": MAX_RADIO_LENGTH + 1}, "length must be between"),
        ({"seeds": [1], "length": 0}, "length must be between"),
        ({"seeds": [1], "length": 10**6}, "length must be between"),
        ({"seeds": [1], "artist_gap": MAX_ARTIST_GAP + 1}, "artist_gap"),
        ({"seeds": list(range(10_000))}, "seeds"),
        ({"seeds": [1], "exclude": list(range(2, 10_002))}, "exclude"),
        ({"seeds": [1], "familiarity": 1.5}, "familiarity"),
        ({"seeds": [1], "familiarity": "high"}, "familiarity"),
        ({"seeds": [1], "artist_gap": -1}, "artist_gap"),
        ({"seeds": [1], "seed": -3}, "seed must be between"),
        ({"seeds": []}, "seeds must hold"),
        ({"length": 5}, "seeds is required"),
        ({"seeds": [1], "k": 5}, "Unknown field"),
    ],
)
def test_bad_fields_are_422_naming_the_field(
    api: Client, active_version: ModelVersion, payload: object, words: str
) -> None:
    response = radio(api, payload)
    body = assert_documented(response, ROUTE, "post")
    assert response.status_code == 422
    assert words in body["error"]["message"]


def test_malformed_json_is_400(api: Client, active_version: ModelVersion) -> None:
    response = api.post(ROUTE, "{seeds", content_type="application/json")
    assert response.status_code == 400
    assert assert_documented(response, ROUTE, "post")["error"]["code"] == "malformed_json"


def test_a_gap_the_songs_left_cannot_keep_ends_the_station_early(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    # Only Metallica's and Dio's songs are left to play: an artist gap of 5 cannot be kept,
    # so the station stops, says it is not complete, and never breaks the gap to go on.
    seed = catalogue.id("Fade To Black")
    playable = {catalogue.id(t) for t in ("One", "Enter Sandman", "Holy Diver")}
    exclude = sorted(set(catalogue.ids.values()) - playable - {seed})
    response = radio(api, {"seeds": [seed], "length": 10, "artist_gap": 5, "exclude": exclude})
    assert response.status_code == 200
    body = assert_documented(response, ROUTE, "post")
    assert body["complete"] is False
    artists = [body["seeds"][0]["artist"], *(song["artist"] for song in body["songs"])]
    assert len(body["songs"]) < 10
    for i in range(1, len(artists)):
        assert artists[i] not in artists[max(0, i - 5) : i], artists
    assert {song["id"] for song in body["songs"]} <= playable
