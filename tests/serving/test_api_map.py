"""GET /api/map projects the most played songs to 2D, coloured by main tag, once per version."""

import pytest
from django.test import Client

from recommender import serving
from recommender.models import ModelVersion
from tests.serving.catalogue import GROUPS, Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db


def test_map_has_one_point_per_placed_song_with_its_main_tag(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    body = assert_documented(api.get("/api/map"), "/api/map")
    points = body["points"]
    assert body["model_version"] == active_version.id
    assert len(points["id"]) == 48  # every placed song (fewer than the 5,000 sample)
    assert len(set(points["id"])) == 48
    assert catalogue.unplayed_id not in points["id"] and catalogue.rare_id not in points["id"]
    assert {len(values) for values in points.values()} == {48}
    genres = {serving.main_genre((tag,)) for tag, _ in GROUPS} - {""}
    assert set(body["tags"][:-1]) == genres
    assert body["tags"][-1] == "other / untagged"
    assert "metal / hard rock" in genres and "chanson" not in genres
    jolene = points["id"].index(catalogue.id("Jolene"))
    assert body["tags"][points["tag"][jolene]] == "country"
    assert points["title"][jolene] == "Jolene" and points["artist"][jolene] == "Dolly Parton"
    assert 0 < sum(body["explained_variance"]) <= 1


def test_songs_of_one_group_sit_closer_together_than_to_others(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    import numpy as np

    points = api.get("/api/map").json()["points"]
    xy = {
        song: np.array([x, y])
        for song, x, y in zip(points["id"], points["x"], points["y"], strict=True)
    }
    within: list[float] = []
    between: list[float] = []
    for a in xy:
        for b in xy:
            if a < b:
                same = catalogue.group_of[a] == catalogue.group_of[b]
                (within if same else between).append(float(np.linalg.norm(xy[a] - xy[b])))
    assert np.mean(within) < np.mean(between)


def test_the_projection_is_computed_once_per_version(
    api: Client, active_version: ModelVersion
) -> None:
    first = serving.map_points()
    assert serving.map_points() is first
    assert api.get("/api/map").json()["points"]["x"] == list(first.x)
