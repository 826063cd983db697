"""A song page offers each of its lists for download and copy, and "Listen" search links."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from recommender.models import ModelVersion
from recommender.views import NEIGHBOURS_ON_SONG_PAGE
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

_HREF = re.compile(r'href="([^"]+)"')


def _export_queries(page: str, fmt: str) -> list[dict[str, list[str]]]:
    links = [html.unescape(href) for href in _HREF.findall(page)]
    return [
        parse_qs(urlsplit(link).query)
        for link in links
        if urlsplit(link).path == f"/api/playlists/export.{fmt}"
    ]


def _page_and_similar(api: Client, seed: int) -> tuple[str, dict[str, Any]]:
    """The seed's page and the API's similar list for it (the list the page shows)."""
    page = api.get(f"/songs/{seed}").content.decode()
    return page, api.get(f"/api/songs/{seed}/similar", {"k": NEIGHBOURS_ON_SONG_PAGE}).json()


def test_the_similar_list_downloads_in_the_order_shown(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    page, similar = _page_and_similar(api, catalogue.id("Still D.R.E."))
    shown = ",".join(str(item["song"]["id"]) for item in similar["results"])
    for fmt in ("m3u8", "xspf", "jspf"):
        queries = _export_queries(page, fmt)
        # The similar list, then before and after (the rare song was played before this one).
        assert queries[0] == {"songs": [shown], "title": ["Sounds like Still D.R.E."]}
        assert str(catalogue.rare_id) in queries[1]["songs"][0].split(",")
        assert queries[1]["title"] == ["Before Still D.R.E."]
        # Each link works.
        response = api.get(f"/api/playlists/export.{fmt}", {"songs": shown, "title": "x"})
        assert response.status_code == 200


def test_copy_as_text_holds_artist_and_title_lines(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    page, similar = _page_and_similar(api, catalogue.id("Still D.R.E."))
    copies = [html.unescape(text) for text in re.findall(r'data-copy="([^"]*)"', page)]
    assert copies[0] == "\n".join(
        f"{item['song']['artist']} \u2013 {item['song']['title']}" for item in similar["results"]
    )
    assert "/static/recommender/share.js" in page


def test_listen_links_search_title_and_artist_encoded(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    page = api.get(f"/songs/{catalogue.id('Gin & Juice')}").content.decode()
    query = "Snoop%20Dogg%20Gin%20%26%20Juice"
    for prefix in (
        "https://www.youtube.com/results?search_query=",
        "https://open.spotify.com/search/",
        "https://music.apple.com/us/search?term=",
    ):
        link = f'<a href="{prefix}{query}" target="_blank" rel="noopener noreferrer">'
        assert link in page
