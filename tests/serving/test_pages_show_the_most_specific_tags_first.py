"""Pages and the API show a song's tags most specific first, opinion tags never.

The data set lists tags in tag-id order, the catalogue's most common first: a Metallica song
reads "rock, pop, favorites, metal". Here every song carries rock, pop and favorites before its
own tags, so "metal" is the rarest tag of "Fade To Black" and must lead wherever it is shown.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from playlists.models import SongTag
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.conftest import TrainVersion
from tests.serving.tagging import tags_after, tags_set

pytestmark = pytest.mark.django_db

COMMON = ("rock", "pop", "favorites")
SHOWN = ["metal", "rock", "pop"]


@pytest.fixture
def common_tags(catalogue: Catalogue) -> Catalogue:
    tags_set(tags_after(COMMON))
    return catalogue


@pytest.fixture
def version(common_tags: Catalogue, train_version: TrainVersion) -> ModelVersion:
    return train_version()


def _page_tags(page: str) -> list[list[str]]:
    """Each tag list of a page, in order."""
    lists = re.findall(r'<ul class="tags"[^>]*>(.*?)</ul>', page, flags=re.S)
    return [re.findall(r"<li>(.*?)</li>", items) for items in lists]


def test_the_song_page_and_the_api_lead_with_the_rare_tag(
    api: Client, common_tags: Catalogue
) -> None:
    song = common_tags.id("Fade To Black")
    assert list(
        SongTag.objects.filter(song_id=song).order_by("rank").values_list("tag__name", flat=True)
    ) == ["rock", "pop", "favorites", "metal"]
    # No version is served yet: the song page and the catalogue endpoints still order them.
    page = api.get(f"/songs/{song}").content.decode()
    assert _page_tags(page)[0] == SHOWN
    assert "<li>favorites</li>" not in page
    assert api.get(f"/api/songs/{song}").json()["tags"] == SHOWN
    found = api.get("/api/songs", {"q": "fade to black"}).json()["results"]
    assert [result["tags"] for result in found] == [SHOWN]


def test_every_list_of_a_served_version_shows_the_songs_own_tag_first(
    api: Client, common_tags: Catalogue, version: ModelVersion
) -> None:
    song = common_tags.id("Fade To Black")
    page = api.get(f"/songs/{song}").content.decode()
    lists = _page_tags(page)
    assert lists[0] == SHOWN
    assert len(lists) > 1, "the page lists the song's neighbours with their tags"
    assert "<li>favorites</li>" not in page
    # Each neighbour's first tag is its group's, never one every song carries.
    assert all(tags[0] not in COMMON for tags in lists[1:])

    body = api.get(f"/api/songs/{song}/similar", {"k": 12}).json()
    assert body["seed"]["tags"] == SHOWN
    for item in body["results"]:
        assert "favorites" not in item["song"]["tags"]
        assert item["song"]["tags"][0] not in COMMON
    metal = [item["song"] for item in body["results"] if "metal" in item["song"]["tags"]]
    assert metal and all(tags["tags"] == SHOWN for tags in metal)

    station = api.post(
        "/api/radio", json.dumps({"seeds": [song], "length": 10}), content_type="application/json"
    ).json()
    assert station["seeds"][0]["tags"] == SHOWN
    assert station["songs"] and all("favorites" not in song["tags"] for song in station["songs"])
    assert all(song["tags"][0] not in COMMON for song in station["songs"])


def test_a_shared_link_gives_its_seeds_in_the_same_order(
    api: Client, common_tags: Catalogue, version: ModelVersion
) -> None:
    song = common_tags.id("Fade To Black")
    page = api.get("/", {"seeds": str(song)}).content.decode()
    script = page.split('id="home-state" type="application/json">', 1)[1]
    state = json.loads(script.split("</script>", 1)[0])
    assert state["seeds"][0]["tags"] == SHOWN
