"""GET /api/songs/{id} answers one song; unknown ids are 404 and non-integer ids 422."""

import pytest
from django.test import Client

from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

ROUTE = "/api/songs/{song_id}"


def test_one_song_with_title_artist_and_tags(api: Client, catalogue: Catalogue) -> None:
    song_id = catalogue.id("<script>alert(1)</script>")
    body = assert_documented(api.get(f"/api/songs/{song_id}"), ROUTE)
    assert body == {
        "id": song_id,
        "title": "<script>alert(1)</script>",
        "artist": "XSS <b>Band</b>",
        "tags": ["metal"],
    }


@pytest.mark.parametrize("song_id", ["99999", "-1", "123456789012345678901234567890"])
def test_an_unknown_id_is_404(api: Client, catalogue: Catalogue, song_id: str) -> None:
    response = api.get(f"/api/songs/{song_id}")
    assert response.status_code == 404
    assert assert_documented(response, ROUTE)["error"]["code"] == "not_found"


@pytest.mark.parametrize("song_id", ["abc", "1.5", "0x10", "%20", "1_0", "+1", "1e-1"])
def test_a_non_integer_id_is_422(api: Client, catalogue: Catalogue, song_id: str) -> None:
    response = api.get(f"/api/songs/{song_id}")
    assert response.status_code == 422
    assert assert_documented(response, ROUTE)["error"]["code"] == "invalid_parameter"


def test_a_song_lists_its_ten_most_relevant_tags(api: Client, catalogue: Catalogue) -> None:
    from playlists.models import SongTag, Tag

    song_id = catalogue.id("Jolene")
    SongTag.objects.filter(song_id=song_id).delete()
    names = [f"tag {rank:02d}" for rank in range(14)]
    for rank, name in enumerate(names):
        tag = Tag.objects.create(id=100 + rank, name=name)
        SongTag.objects.create(song_id=song_id, tag=tag, rank=rank)
    body = assert_documented(api.get(f"/api/songs/{song_id}"), ROUTE)
    assert body["tags"] == names[:10]


@pytest.mark.parametrize("spelling", ["{id}.0", "{id}.000", "{id}e0", "{id}0e-1"])
def test_a_whole_number_with_a_fraction_or_exponent_is_that_id(
    api: Client, catalogue: Catalogue, spelling: str
) -> None:
    # The document's "integer" (JSON Schema's) admits 12.0; such ids used to be refused (422).
    song_id = catalogue.id("Jolene")
    body = assert_documented(api.get("/api/songs/" + spelling.format(id=song_id)), ROUTE)
    assert body["id"] == song_id
