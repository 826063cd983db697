"""Songs without a vector are ranked from playlist statistics; unknown ones get popular songs."""

import json

import pytest
from django.test import Client

from playlists.models import Song
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.expected import exact_neighbours
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db


def test_a_song_without_vector_is_ranked_from_what_followed_it_in_playlists(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    body = assert_documented(
        api.get(f"/api/songs/{catalogue.rare_id}/similar"), "/api/songs/{song_id}/similar"
    )
    # The statistics still know it: the model ranks, the only song played after it included.
    assert body["source"] == "model"
    assert body["unplaced_seeds"] == [catalogue.rare_id]
    ids = [item["song"]["id"] for item in body["results"]]
    assert catalogue.rare_successor_id in ids, ids
    scores = [item["score"] for item in body["results"]]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] < 1


def test_a_never_played_song_gets_popular_songs_of_its_tag_first(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    body = assert_documented(
        api.get(f"/api/songs/{catalogue.unplayed_id}/similar", {"k": 12}),
        "/api/songs/{song_id}/similar",
    )
    assert body["source"] == "fallback-popular"
    songs = [item["song"] for item in body["results"]]
    assert len(songs) == 12
    # The unplayed song is tagged metal: the eight metal songs first, most played first.
    assert all("metal" in song["tags"] for song in songs[:8])
    assert not any("metal" in song["tags"] for song in songs[8:])
    plays = dict(Song.objects.values_list("id", "play_count"))
    metal_plays = [plays[song["id"]] for song in songs[:8]]
    assert metal_plays == sorted(metal_plays, reverse=True)
    scores = [item["score"] for item in body["results"][:8]]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] <= 1.0


def test_placed_seeds_answer_and_unplaced_ones_are_reported(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.unplayed_id, catalogue.id("Jolene")]
    response = api.post(
        "/api/recommendations", json.dumps({"seeds": seeds}), content_type="application/json"
    )
    body = assert_documented(response, "/api/recommendations", "post")
    assert body["source"] == "model"
    assert body["unplaced_seeds"] == [catalogue.unplayed_id]
    expected = exact_neighbours(active_version.artifacts_path, seeds, k=10)
    assert [item["song"]["id"] for item in body["results"]] == [song for song, _ in expected]
    assert "country" in body["results"][0]["song"]["tags"]


def test_only_unplaced_seeds_use_the_fallback_with_exclusions(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    payload = {"seeds": [catalogue.rare_id], "exclude": [catalogue.rare_successor_id], "k": 5}
    response = api.post(
        "/api/recommendations", json.dumps(payload), content_type="application/json"
    )
    body = assert_documented(response, "/api/recommendations", "post")
    # Its only successor is excluded; the model still answers from what else it knows.
    assert body["source"] == "model"
    ids = [item["song"]["id"] for item in body["results"]]
    assert catalogue.rare_successor_id not in ids and catalogue.rare_id not in ids
    assert len(ids) == len(set(ids)) == 5
