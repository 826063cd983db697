"""POST /api/recommendations continues a playlist from several seeds."""

import json
from collections import Counter

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.expected import exact_neighbours
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

ROUTE = "/api/recommendations"


def recommend(api: Client, payload: object):
    return api.post(ROUTE, json.dumps(payload), content_type="application/json")


def test_several_seeds_use_the_normalised_mean_of_their_vectors(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Billie Jean"), catalogue.id("Jolene"), catalogue.id("Halo")]
    body = assert_documented(recommend(api, {"seeds": seeds, "k": 15}), ROUTE, "post")
    expected = exact_neighbours(active_version.artifacts_path, seeds, k=15)
    assert [item["song"]["id"] for item in body["results"]] == [song for song, _ in expected]
    for item, (_, score) in zip(body["results"], expected, strict=True):
        assert item["score"] == pytest.approx(score, abs=1e-5)
    assert [seed["id"] for seed in body["seeds"]] == seeds
    assert body["seeds"][2]["artist"] == "Beyoncé"
    assert (body["model_version"], body["source"]) == (active_version.id, "model")


def test_seeds_and_excluded_songs_never_come_back(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Fade To Black"), catalogue.id("One")]
    first = assert_documented(recommend(api, {"seeds": seeds, "k": 5}), ROUTE, "post")
    excluded = [item["song"]["id"] for item in first["results"][:3]] + [999_999]
    body = assert_documented(
        recommend(api, {"seeds": seeds, "k": 100, "exclude": excluded}), ROUTE, "post"
    )
    returned = [item["song"]["id"] for item in body["results"]]
    assert not set(returned) & (set(seeds) | set(excluded))
    # Every song ever played is a candidate (the rare one too); the unplayed one never is.
    assert len(returned) == 49 - len(seeds) - 3
    expected = exact_neighbours(active_version.artifacts_path, seeds, k=100, exclude=set(excluded))
    assert returned == [song for song, _ in expected]


def test_max_per_artist_limits_each_artist(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Fade To Black")]
    unlimited = assert_documented(recommend(api, {"seeds": seeds, "k": 10}), ROUTE, "post")
    artists = Counter(item["song"]["artist"] for item in unlimited["results"])
    assert artists["Metallica"] >= 2  # otherwise the limit below would prove nothing
    body = assert_documented(
        recommend(api, {"seeds": seeds, "k": 10, "max_per_artist": 1}), ROUTE, "post"
    )
    limited = Counter(item["song"]["artist"] for item in body["results"])
    assert max(limited.values()) == 1
    assert len(body["results"]) == 10
    scores = [item["score"] for item in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_duplicate_seeds_count_once(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seed = catalogue.id("Jolene")
    once = assert_documented(recommend(api, {"seeds": [seed]}), ROUTE, "post")
    twice = assert_documented(recommend(api, {"seeds": [seed, seed]}), ROUTE, "post")
    assert twice == once
    assert len(twice["seeds"]) == 1


def test_one_seed_gives_the_same_songs_as_similar(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seed = catalogue.id("Ring of Fire")
    posted = assert_documented(recommend(api, {"seeds": [seed], "k": 7}), ROUTE, "post")
    similar = api.get(f"/api/songs/{seed}/similar", {"k": 7}).json()
    assert posted["results"] == similar["results"]


def test_whole_numbers_written_with_a_fraction_are_integers(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    # JSON has one number type and the document's "integer" admits 10.0: such a request used
    # to be refused with 422.
    seeds, excluded = [catalogue.id("Jolene"), catalogue.id("Halo")], catalogue.id("9 to 5")
    as_ints = {"seeds": seeds, "k": 10, "exclude": [excluded], "max_per_artist": 1}
    as_floats = {"seeds": [float(s) for s in seeds], "k": 10.0, "exclude": [float(excluded)]}
    body = assert_documented(recommend(api, {**as_floats, "max_per_artist": 1.0}), ROUTE, "post")
    assert body == assert_documented(recommend(api, as_ints), ROUTE, "post")
    assert [seed["id"] for seed in body["seeds"]] == seeds
