"""Whatever is typed into a search box (the API's q, which the home page uses, and the admin's
song search) is data, never SQL: injection strings, LIKE wildcards, a NUL byte and very long
input get a normal answer, `%` `_` `\\` match themselves, and the songs table stays intact."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from playlists.models import Song
from playlists.selectors import song_search
from playlists.text import search_key
from tests.playlists.catalogue_snapshot import catalogue_snapshot
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

LITERAL = {  # title -> artist of songs whose text holds LIKE's special characters
    "100% Pure Love": "Crystal Waters",
    "snake_case": "The Underscores",
    "Back\\Slash": "Escape Artists",
}
ATTACKS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '"; DROP TABLE playlists_song; --',
    "'); DELETE FROM playlists_song; --",
    "%",
    "_",
    "\\",
    "%%",
    "%' --",
    "a%b",
    "\\%",
    "jol\x00ene",
    "\x00",
    "' UNION SELECT id, title, artist, search_text, play_count FROM playlists_song --",
    "x" * 60_000,
    "ﷺ" * 3000,  # folds (NFKD) to 18 characters each: far longer once folded
    "a " * 5000,
    # As many distinct words as fit in the longest search text: one filter each.
    " ".join(a + b for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklm")[:1001],
]


@pytest.fixture
def songs(catalogue: Catalogue) -> list[Song]:
    for number, (title, artist) in enumerate(LITERAL.items()):
        Song.objects.create(
            id=1000 + number,
            title=title,
            artist=artist,
            search_text=search_key(f"{title} {artist}"),
            play_count=1,
        )
    return list(Song.objects.all())


def literal_matches(songs: list[Song], query: str) -> set[int]:
    """What a search means, computed in Python: songs holding every word of the query."""
    words = search_key(query.replace("\x00", " ")).split()
    if not words:
        return set()
    return {song.id for song in songs if all(word in song.search_text for word in words)}


def test_wildcards_match_only_themselves(songs: list[Song]) -> None:
    client = Client()
    for query, title in (("%", "100% Pure Love"), ("_", "snake_case"), ("\\", "Back\\Slash")):
        body = client.get("/api/songs", {"q": query}).json()
        assert [song["title"] for song in body["results"]] == [title], query
        assert body["total"] == 1
    assert client.get("/api/songs", {"q": "0%"}).json()["total"] == 1
    assert client.get("/api/songs", {"q": "e_c"}).json()["total"] == 1  # snake_case only


@pytest.mark.parametrize("query", ATTACKS, ids=lambda q: repr(q[:24]) + f"x{len(q)}")
def test_the_search_api_answers_injection_strings_normally(songs: list[Song], query: str) -> None:
    before = catalogue_snapshot()
    response = Client().get("/api/songs", {"q": query, "limit": "5"})
    if response.status_code == 200:
        body = response.json()
        expected = literal_matches(songs, query)
        assert body["total"] == len(expected)
        assert {song["id"] for song in body["results"]} <= expected
        assert len(body["results"]) == min(5, len(expected))
    else:
        assert 400 <= response.status_code < 500
        assert response.json()["error"]["message"]
    assert catalogue_snapshot() == before


@pytest.mark.parametrize("query", ATTACKS, ids=lambda q: repr(q[:24]) + f"x{len(q)}")
def test_the_search_selector_takes_any_text(songs: list[Song], query: str) -> None:
    # What the API and any other caller rely on, whatever they checked before.
    found, total = song_search(query=query, limit=100)
    distinct = " ".join(dict.fromkeys(search_key(query.replace("\x00", " ")).split()))
    expected = literal_matches(songs, query) if len(distinct) <= 1001 else set()
    assert {song.id for song in found} == expected
    assert total == len(expected)


def test_the_admin_song_search_answers_injection_strings_normally(songs: list[Song]) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="boss-pw-1"))
    before = catalogue_snapshot()
    for query in ATTACKS:
        response = client.get("/admin/playlists/song/", {"q": query})
        assert response.status_code == 200, repr(query[:30])
        assert len(response.context["cl"].result_list) <= 50
    for query, title in (("%", "100% Pure Love"), ("_", "snake_case"), ("\\", "Back\\Slash")):
        listed = client.get("/admin/playlists/song/", {"q": query}).context["cl"].result_list
        assert [song.title for song in listed] == [title], query
    assert catalogue_snapshot() == before
