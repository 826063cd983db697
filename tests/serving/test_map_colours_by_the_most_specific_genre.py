"""The map colours a song by its most specific genre tag, a broad genre only when it has no other.

Every song here carries "alternative" and "rock" before its own tags, as common tags come
first in the data set: read in that order, every song would be "alternative / indie".
"""

from __future__ import annotations

import pytest
from django.test import Client

from recommender import serving
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.conftest import TrainVersion
from tests.serving.tagging import tags_after, tags_set

pytestmark = pytest.mark.django_db

COMMON = ("alternative", "rock")


@pytest.fixture
def version(catalogue: Catalogue, train_version: TrainVersion) -> ModelVersion:
    tags_set(tags_after(COMMON))
    return train_version()


def test_each_song_takes_the_colour_of_its_rarest_genre(
    api: Client, catalogue: Catalogue, version: ModelVersion
) -> None:
    body = api.get("/api/map").json()
    points = body["points"]

    def colour(title: str) -> str:
        return body["tags"][points["tag"][points["id"].index(catalogue.id(title))]]

    assert colour("Fade To Black") == "metal / hard rock"
    assert colour("Jolene") == "country"
    assert colour("Juicy") == "hip-hop"
    # Pop songs name no genre but the common ones: the rarer of those wins.
    assert colour("Billie Jean") == "alternative / indie"
    assert "metal / hard rock" in body["tags"]


def test_broad_genres_count_only_without_another_genre() -> None:
    # Tags arrive most specific first (the song table's order).
    assert serving.main_genre(("80s", "metal", "rock")) == "metal / hard rock"
    assert serving.main_genre(("80s", "pop", "country")) == "country"
    assert serving.main_genre(("80s", "pop", "rock")) == "pop"
    assert serving.main_genre(("southern rock", "classic rock", "alternative")) == "classic rock"
    assert serving.main_genre(("80s",)) == ""
