"""Every export is a valid file of its format: XSPF against the XML Schema in tests/serving/xspf,
JSPF as XSPF's structure in JSON, M3U8 as extended M3U, hostile titles included."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from recommender.api_limits import MAX_EXPORT_SONGS
from tests.serving.catalogue import Catalogue
from tests.serving.playlist_files import (
    assert_valid_jspf,
    assert_valid_m3u8,
    assert_valid_xspf,
    xspf_errors,
)

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = "</title><script>alert(1)</script>"


def _export(api: Client, fmt: str, ids: list[int], title: str) -> bytes:
    response = api.get(
        f"/api/playlists/export.{fmt}", {"songs": ",".join(map(str, ids)), "title": title}
    )
    assert response.status_code == 200, response.content
    return response.content


def _some_ids(catalogue: Catalogue) -> list[int]:
    return [
        catalogue.id("Jolene"),
        catalogue.id("<script>alert(1)</script>"),
        catalogue.id("Gin & Juice"),
    ]


@pytest.mark.parametrize("title", ["Mix", HOSTILE_TITLE, "", "Ünïcode \u2013 “quotes” & <b>"])
def test_the_xspf_export_validates_against_the_schema(
    api: Client, catalogue: Catalogue, title: str
) -> None:
    assert_valid_xspf(_export(api, "xspf", _some_ids(catalogue), title))


def test_the_longest_xspf_export_validates(api: Client, catalogue: Catalogue) -> None:
    every = sorted(catalogue.ids.values())
    ids = (every * (MAX_EXPORT_SONGS // len(every) + 1))[:MAX_EXPORT_SONGS]
    assert_valid_xspf(_export(api, "xspf", ids, "Long"))


@pytest.mark.parametrize("title", ["Mix", HOSTILE_TITLE])
def test_the_jspf_and_m3u8_exports_are_well_formed(
    api: Client, catalogue: Catalogue, title: str
) -> None:
    ids = _some_ids(catalogue)
    assert_valid_jspf(json.loads(_export(api, "jspf", ids, title)))
    tracks = assert_valid_m3u8(_export(api, "m3u8", ids, title).decode("utf-8"))
    assert [url.rsplit("/", 1)[-1] for _, url in tracks] == [str(song) for song in ids]


@pytest.mark.parametrize(
    "broken",
    [
        # No trackList.
        b'<playlist version="1" xmlns="http://xspf.org/ns/0/"><title>x</title></playlist>',
        # Version 2 does not exist.
        b'<playlist version="2" xmlns="http://xspf.org/ns/0/"><trackList/></playlist>',
        # Not in XSPF's namespace.
        b'<playlist version="1"><trackList/></playlist>',
        # Two titles in one track.
        b'<playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList><track>'
        b"<title>a</title><title>b</title></track></trackList></playlist>",
        # trackNum must be a positive integer.
        b'<playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList><track>'
        b"<trackNum>0</trackNum></track></trackList></playlist>",
        # An element XSPF does not have.
        b'<playlist version="1" xmlns="http://xspf.org/ns/0/"><trackList><track>'
        b"<artist>a</artist></track></trackList></playlist>",
    ],
)
def test_the_schema_refuses_what_xspf_does_not_allow(broken: bytes) -> None:
    assert xspf_errors(broken)
