"""GET /api/songs/{id}/similar answers the seed's exact nearest songs from the active version."""

from typing import Any

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.expected import exact_neighbours
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

ROUTE = "/api/songs/{song_id}/similar"


def similar(api: Client, song_id: int, **params: int | str) -> Any:
    return api.get(f"/api/songs/{song_id}/similar", params)


def test_answer_names_the_seed_the_version_and_the_source(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seed = catalogue.id("Billie Jean")
    body = assert_documented(similar(api, seed), ROUTE)
    assert body["seed"] == {
        "id": seed,
        "title": "Billie Jean",
        "artist": "Michael Jackson",
        # Most specific first: "80s" is on 6 songs of the catalogue, "pop" on 9.
        "tags": ["80s", "pop"],
    }
    assert body["model_version"] == active_version.id
    assert body["source"] == "model"
    assert body["unplaced_seeds"] == []
    assert len(body["results"]) == 10


def test_results_are_the_exact_neighbours_sorted_by_cosine(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seed = catalogue.id("Fade To Black")
    body = assert_documented(similar(api, seed, k=12), ROUTE)
    expected = exact_neighbours(active_version.artifacts_path, [seed], k=12)
    got = [(item["song"]["id"], item["score"]) for item in body["results"]]
    assert [song_id for song_id, _ in got] == [song_id for song_id, _ in expected]
    for (_, score), (_, want) in zip(got, expected, strict=True):
        assert isinstance(score, float)
        assert score == pytest.approx(want, abs=1e-5)
    scores = [score for _, score in got]
    assert scores == sorted(scores, reverse=True)
    assert seed not in [song_id for song_id, _ in got]


def test_songs_played_together_come_first(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    for title in ("Billie Jean", "California Love (w/ Dr. Dre & Roger Troutman)", "Jolene"):
        seed = catalogue.id(title)
        group = set(catalogue.group(title)) - {seed}
        body = assert_documented(similar(api, seed, k=len(group)), ROUTE)
        top = {item["song"]["id"] for item in body["results"]}
        # Word2Vec on 150 tiny playlists is noisy; most of the group must still be on top.
        assert len(top & group) >= len(group) - 2, title


@pytest.mark.parametrize("k", [1, 5, 30])
def test_k_results_at_most_the_placed_songs(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, k: int
) -> None:
    body = assert_documented(similar(api, catalogue.id("Jolene"), k=k), ROUTE)
    placed_others = 48 - 1
    assert len(body["results"]) == min(k, placed_others)
    assert len({item["song"]["id"] for item in body["results"]}) == len(body["results"])


@pytest.mark.parametrize("k", ["0", "101", "-3", "ten", "2.5", "1e3"])
def test_k_outside_1_to_100_is_422(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, k: str
) -> None:
    response = similar(api, catalogue.id("Jolene"), k=k)
    assert response.status_code == 422
    body = assert_documented(response, ROUTE)
    assert body["error"]["code"] == "invalid_parameter"
    assert "k" in body["error"]["message"]


def test_an_unknown_song_is_404(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    response = similar(api, 4242)
    assert response.status_code == 404
    body = assert_documented(response, ROUTE)
    assert body["error"] == {"code": "not_found", "message": "no song with id 4242."}


def test_a_non_integer_song_id_is_422(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    response = api.get("/api/songs/billie/similar")
    assert response.status_code == 422
    assert assert_documented(response, ROUTE)["error"]["code"] == "invalid_parameter"
