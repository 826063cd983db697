"""GET /api/songs finds songs by title or artist, case- and accent-blind, best first, paged."""

from urllib.parse import quote

import pytest
from django.test import Client

from recommender.api import openapi_document
from recommender.api_limits import MAX_QUERY_CHARS
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

ROUTE = "/api/songs"


def titles(body: dict) -> list[str]:
    return [song["title"] for song in body["results"]]


def test_a_title_match_comes_before_an_artist_match(api: Client, catalogue: Catalogue) -> None:
    body = assert_documented(api.get(ROUTE, {"q": "billie"}), ROUTE)
    assert titles(body) == ["Billie Jean", "Bad Guy"]
    assert body["total"] == 2
    assert body["results"][0] == {
        "id": catalogue.id("Billie Jean"),
        "title": "Billie Jean",
        "artist": "Michael Jackson",
        # Most specific first: "80s" is on 6 songs of the catalogue, "pop" on 9.
        "tags": ["80s", "pop"],
    }


def test_search_ignores_case_and_accents(api: Client, catalogue: Catalogue) -> None:
    plain = assert_documented(api.get(ROUTE, {"q": "BEYONCE"}), ROUTE)
    accented = assert_documented(api.get(ROUTE, {"q": "beyoncé"}), ROUTE)
    assert plain == {**accented, "query": "BEYONCE"}
    assert sorted(titles(plain)) == ["Crazy in Love", "Déjà Vu", "Halo"]
    assert titles(assert_documented(api.get(ROUTE, {"q": "ete indien"}), ROUTE)) == ["L'été indien"]


def test_every_word_must_match(api: Client, catalogue: Catalogue) -> None:
    body = assert_documented(api.get(ROUTE, {"q": "metallica one"}), ROUTE)
    assert titles(body) == ["One"]


def test_pages_do_not_overlap_and_cover_all_matches(api: Client, catalogue: Catalogue) -> None:
    first = assert_documented(api.get(ROUTE, {"q": "metallica", "limit": "2"}), ROUTE)
    second = assert_documented(
        api.get(ROUTE, {"q": "metallica", "limit": "2", "offset": "2"}), ROUTE
    )
    rest = assert_documented(api.get(ROUTE, {"q": "metallica", "limit": "2", "offset": "4"}), ROUTE)
    assert first["total"] == second["total"] == 4
    assert (first["limit"], second["offset"]) == (2, 2)
    found = titles(first) + titles(second)
    assert sorted(found) == ["Enter Sandman", "Fade To Black", "Master of Puppets", "One"]
    assert rest["results"] == []


def test_more_played_songs_rank_first_among_equals(api: Client, catalogue: Catalogue) -> None:
    from playlists.models import Song

    body = assert_documented(api.get(ROUTE, {"q": "metallica"}), ROUTE)
    plays = dict(Song.objects.values_list("title", "play_count"))
    ranked = [plays[title] for title in titles(body)]
    assert ranked == sorted(ranked, reverse=True)


def test_an_empty_query_finds_nothing(api: Client, catalogue: Catalogue) -> None:
    for params in ({}, {"q": ""}, {"q": "   "}):
        body = assert_documented(api.get(ROUTE, params), ROUTE)
        assert (body["results"], body["total"]) == ([], 0)


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"offset": "-1"}, {"offset": "1.5"}],
)
def test_bad_paging_is_422(api: Client, catalogue: Catalogue, params: dict) -> None:
    response = api.get(ROUTE, {"q": "billie", **params})
    assert response.status_code == 422
    body = assert_documented(response, ROUTE)
    assert body["error"]["code"] == "invalid_parameter"
    assert next(iter(params)) in body["error"]["message"]


def test_search_works_without_an_active_model(api: Client, catalogue: Catalogue) -> None:
    assert titles(assert_documented(api.get(ROUTE, {"q": "jolene"}), ROUTE)) == ["Jolene"]


def test_empty_paging_values_mean_the_defaults_as_documented(
    api: Client, catalogue: Catalogue
) -> None:
    empty = assert_documented(api.get(ROUTE, {"q": "metallica", "limit": "", "offset": ""}), ROUTE)
    assert empty == assert_documented(api.get(ROUTE, {"q": "metallica"}), ROUTE)
    assert (empty["limit"], empty["offset"]) == (20, 0)
    # The document used to call an empty value invalid (an integer was required).
    parameters = openapi_document()["paths"][ROUTE]["get"]["parameters"]
    assert {p["name"] for p in parameters if p.get("allowEmptyValue")} == {"limit", "offset"}


def test_paging_values_with_a_zero_fraction_are_integers(api: Client, catalogue: Catalogue) -> None:
    # limit=2.0 fits the document's "integer" and used to be refused with 422.
    spelled = assert_documented(
        api.get(ROUTE, {"q": "metallica", "limit": "2.0", "offset": "2e0"}), ROUTE
    )
    assert spelled == assert_documented(
        api.get(ROUTE, {"q": "metallica", "limit": "2", "offset": "2"}), ROUTE
    )


def test_a_query_over_the_cap_gets_the_documented_422(api: Client, catalogue: Catalogue) -> None:
    at_cap = assert_documented(api.get(ROUTE, {"q": "é" * MAX_QUERY_CHARS}), ROUTE)
    assert at_cap["total"] == 0
    response = api.get(ROUTE, {"q": "é" * (MAX_QUERY_CHARS + 1)})
    assert response.status_code == 422
    assert assert_documented(response, ROUTE)["error"]["code"] == "invalid_parameter"
    # Percent-encoded, the longest allowed query still fits gunicorn's request line.
    longest = quote("\U0001f3b5" * MAX_QUERY_CHARS)  # 12 bytes a character
    assert len(f"GET {ROUTE}?q={longest} HTTP/1.1") <= 4094
