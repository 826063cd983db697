"""GET /api/playlists/export.{m3u8,xspf,jspf} writes the given songs, in order, as a playlist."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from recommender.api_limits import MAX_EXPORT_SONGS
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

NS = {"x": "http://xspf.org/ns/0/"}
FORMATS = ("m3u8", "xspf", "jspf")
HOSTILE = "<script>alert(1)</script>"


def _ids(catalogue: Catalogue) -> list[int]:
    # A hostile title and an ampersand among ordinary ones, in an order that is not the ids'.
    return [catalogue.id("Jolene"), catalogue.id(HOSTILE), catalogue.id("Gin & Juice")]


def _url(fmt: str, ids: list[int], title: str = "") -> str:
    query = ",".join(str(song) for song in ids)
    return f"/api/playlists/export.{fmt}?songs={query}&title={title}"


CONTENT_TYPES = {
    "m3u8": "application/vnd.apple.mpegurl; charset=utf-8",
    "xspf": "application/xspf+xml; charset=utf-8",
    "jspf": "application/json",
}


def _export(api: Client, fmt: str, ids: list[int], title: str) -> bytes:
    """The body of a successful export, after checking its media type and file name."""
    response = api.get(_url(fmt, ids, title))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="{title}.{fmt}"'
    return response.content


def test_m3u8_lists_artist_title_and_song_page_per_track(api: Client, catalogue: Catalogue) -> None:
    ids = _ids(catalogue)
    lines = _export(api, "m3u8", ids, "Road-trip").decode("utf-8").splitlines()
    assert lines == [
        "#EXTM3U",
        "#PLAYLIST:Road-trip",
        "#EXTINF:-1,Dolly Parton - Jolene",
        f"http://testserver/songs/{ids[0]}",
        f"#EXTINF:-1,XSS <b>Band</b> - {HOSTILE}",
        f"http://testserver/songs/{ids[1]}",
        "#EXTINF:-1,Snoop Dogg - Gin & Juice",
        f"http://testserver/songs/{ids[2]}",
    ]


def test_xspf_tracks_are_in_order_and_escaped(api: Client, catalogue: Catalogue) -> None:
    ids = _ids(catalogue)
    content = _export(api, "xspf", ids, "Mix")
    assert b"<script>" not in content  # escaped, not raw markup
    root = ET.fromstring(content)
    assert root.tag == "{http://xspf.org/ns/0/}playlist"
    assert root.get("version") == "1"
    assert root.findtext("x:title", namespaces=NS) == "Mix"
    tracks = root.findall("x:trackList/x:track", NS)
    assert [
        (t.findtext("x:title", namespaces=NS), t.findtext("x:creator", namespaces=NS))
        for t in tracks
    ] == [("Jolene", "Dolly Parton"), (HOSTILE, "XSS <b>Band</b>"), ("Gin & Juice", "Snoop Dogg")]
    assert [t.findtext("x:location", namespaces=NS) for t in tracks] == [
        f"http://testserver/songs/{song}" for song in ids
    ]
    assert [t.findtext("x:info", namespaces=NS) for t in tracks] == [
        f"http://testserver/songs/{song}" for song in ids
    ]


def test_jspf_has_xspf_structure(api: Client, catalogue: Catalogue) -> None:
    ids = _ids(catalogue)
    response = api.get(_url("jspf", ids, "Mix"))
    assert assert_documented(response, "/api/playlists/export.jspf") == json.loads(
        _export(api, "jspf", ids, "Mix")
    )
    assert json.loads(response.content) == {
        "playlist": {
            "title": "Mix",
            "track": [
                {
                    "location": [f"http://testserver/songs/{song}"],
                    "title": title,
                    "creator": artist,
                    "info": f"http://testserver/songs/{song}",
                }
                for song, (title, artist) in zip(
                    ids,
                    [
                        ("Jolene", "Dolly Parton"),
                        (HOSTILE, "XSS <b>Band</b>"),
                        ("Gin & Juice", "Snoop Dogg"),
                    ],
                    strict=True,
                )
            ],
        }
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_hostile_title_cannot_inject_lines_or_markup(
    api: Client, catalogue: Catalogue, fmt: str
) -> None:
    title = "a%0D%0A%23EXTINF:-1,evil%0Ahttp://evil%00</title><x>%26"
    response = api.get(_url(fmt, [catalogue.id("Jolene")], title))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert "\x00" not in text and "\r" not in text
    assert response["Content-Disposition"] == (
        'attachment; filename="a-EXTINF-1-evil-http-evil-title-x.' + fmt + '"'
    )
    if fmt == "m3u8":
        lines = text.splitlines()
        assert lines[1] == "#PLAYLIST:a #EXTINF:-1,evil http://evil </title><x>&"
        assert len(lines) == 4
    elif fmt == "xspf":
        root = ET.fromstring(response.content)
        assert root.findtext("x:title", namespaces=NS) == (
            "a #EXTINF:-1,evil http://evil </title><x>&"
        )
    else:
        assert json.loads(text)["playlist"]["title"] == "a #EXTINF:-1,evil http://evil </title><x>&"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_id_is_404_json(api: Client, catalogue: Catalogue, fmt: str) -> None:
    response = api.get(_url(fmt, [catalogue.id("Jolene"), 99999]))
    assert response.status_code == 404
    assert assert_documented(response, f"/api/playlists/export.{fmt}") == {
        "error": {"code": "not_found", "message": "no song with id 99999."}
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("songs", ["", "1,,2", "abc", "1;2", "1.5"])
def test_missing_or_malformed_songs_is_422(
    api: Client, catalogue: Catalogue, fmt: str, songs: str
) -> None:
    response = api.get(f"/api/playlists/export.{fmt}?songs={songs}")
    assert response.status_code == 422
    body = assert_documented(response, f"/api/playlists/export.{fmt}")
    assert body["error"]["code"] == "invalid_parameter"


@pytest.mark.parametrize("fmt", FORMATS)
def test_more_songs_than_the_limit_is_422(api: Client, catalogue: Catalogue, fmt: str) -> None:
    song = catalogue.id("Jolene")
    response = api.get(_url(fmt, [song] * (MAX_EXPORT_SONGS + 1)))
    assert response.status_code == 422
    body = assert_documented(response, f"/api/playlists/export.{fmt}")
    assert body["error"]["code"] == "too_many_ids"
    assert api.get(_url(fmt, [song] * MAX_EXPORT_SONGS)).status_code == 200


def test_a_spaced_title_gets_dashes_in_the_file_name(api: Client, catalogue: Catalogue) -> None:
    response = api.get(_url("xspf", [catalogue.id("Jolene")], "Road trip, 2026!"))
    assert response["Content-Disposition"] == 'attachment; filename="Road-trip-2026.xspf"'


def test_a_title_without_ascii_letters_gets_a_default_file_name(
    api: Client, catalogue: Catalogue
) -> None:
    response = api.get(_url("m3u8", [catalogue.id("Jolene")], "%E6%97%A5%E6%9C%AC"))
    assert response["Content-Disposition"] == 'attachment; filename="playlist.m3u8"'
    assert "#PLAYLIST:日本" in response.content.decode("utf-8")
