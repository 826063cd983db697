"""Markup in titles, artists and tags (the data set is third-party text) is shown as text on
every page (site and admin) and carried verbatim, as JSON, by the API."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape

from playlists.models import Playlist, Song, SongTag, Tag
from playlists.text import search_key
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"  # a title of the test catalogue
IMG = '"><img src=x onerror=alert(1)>'
SVG = "<svg onload=alert(2)>"
HOSTILE = (SCRIPT, IMG, SVG)
# What any of them would be once a browser parsed it as markup.
INJECTED = re.compile(r"<script>alert|<img\b[^>]*onerror|<svg\b[^>]*onload", re.IGNORECASE)


@pytest.fixture
def hostile(catalogue: Catalogue, active_version: ModelVersion) -> dict[str, int]:
    """A metal song gets the IMG artist and the SVG tag; so does a song's neighbour list."""
    diver = catalogue.id("Holy Diver")
    Song.objects.filter(id=diver).update(artist=IMG, search_text=search_key(f"Holy Diver {IMG}"))
    SongTag.objects.create(song_id=diver, tag=Tag.objects.create(id=99, name=SVG), rank=0)
    return {
        "script": catalogue.id(SCRIPT),
        "img": diver,
        "neighbour": catalogue.id("Fade To Black"),
    }


def assert_no_markup_from_data(url: str, body: str) -> None:
    found = INJECTED.search(body)
    assert not found, f"{url} renders {found.group(0)!r} as markup"
    for text in HOSTILE:
        assert text not in body, f"{url} holds {text!r} unescaped"


def test_site_pages_escape_titles_artists_and_tags(hostile: dict[str, int]) -> None:
    client = Client()
    pages = [
        "/",
        f"/?seeds={hostile['script']}&q={SCRIPT}",
        f"/songs/{hostile['script']}",
        f"/songs/{hostile['img']}",
        f"/songs/{hostile['neighbour']}",
        "/model",
        "/map",
        "/api/docs",
        f"/no-such-page/{SCRIPT}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_no_markup_from_data(url, response.content.decode())

    diver = client.get(f"/songs/{hostile['img']}").content.decode()
    assert escape(IMG) in diver and escape(SVG) in diver
    neighbours = client.get(f"/songs/{hostile['neighbour']}").content.decode()
    assert escape(SCRIPT) in neighbours and escape(IMG) in neighbours


def test_admin_pages_escape_titles_artists_and_tags(hostile: dict[str, int]) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="boss-pw-1"))
    playlist = next(
        p for p in Playlist.objects.order_by("id") if hostile["img"] in list(p.song_ids)
    )
    pages = [
        "/admin/playlists/song/",
        "/admin/playlists/song/?q=alert",
        f"/admin/playlists/song/?q={IMG}",
        f"/admin/playlists/song/{hostile['script']}/change/",
        f"/admin/playlists/song/{hostile['img']}/change/",
        "/admin/playlists/tag/",
        f"/admin/playlists/playlist/{playlist.pk}/change/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_markup_from_data(url, response.content.decode())

    listing = client.get("/admin/playlists/song/?q=alert").content.decode()
    assert escape(SCRIPT) in listing
    assert escape(IMG) in listing
    in_playlist = client.get(f"/admin/playlists/playlist/{playlist.pk}/change/").content.decode()
    assert escape(IMG) in in_playlist


def test_the_api_carries_the_text_verbatim_as_json_never_as_html(hostile: dict[str, int]) -> None:
    client = Client()
    answers = {
        "search": client.get("/api/songs", {"q": "alert"}),
        "song": client.get(f"/api/songs/{hostile['img']}"),
        "similar": client.get(f"/api/songs/{hostile['neighbour']}/similar", {"k": 20}),
        "map": client.get("/api/map"),
        "unknown path": client.get(f"/api/{SCRIPT}"),
    }
    for name, response in answers.items():
        assert response["Content-Type"] == "application/json", name
        # Browsers must not sniff a JSON answer into HTML.
        assert response["X-Content-Type-Options"] == "nosniff", name

    found = {(s["title"], s["artist"]) for s in answers["search"].json()["results"]}
    assert found == {(SCRIPT, "XSS <b>Band</b>"), ("Holy Diver", IMG)}
    assert SVG in answers["song"].json()["tags"]
    neighbours = answers["similar"].json()["results"]
    assert IMG in {item["song"]["artist"] for item in neighbours}
    assert IMG in answers["map"].json()["points"]["artist"]
