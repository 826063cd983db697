"""Checks that an exported playlist file is valid in its format (for API and browser tests).

XSPF is validated against tests/serving/xspf/xspf-1.xsd (written from the XSPF version 1
specification; its header says how it relates to the published schemas). JSPF is checked as
XSPF's structure in JSON, M3U8 as extended M3U.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from lxml import etree

XSPF_SCHEMA = Path(__file__).resolve().parent / "xspf" / "xspf-1.xsd"
_JSPF_TRACK_FIELDS = {"location", "identifier", "title", "creator", "annotation", "info", "image"}


@functools.cache
def xspf_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSPF_SCHEMA)))


def xspf_errors(content: bytes) -> list[str]:
    """The schema's complaints about an XSPF document ([] when it is valid)."""
    schema = xspf_schema()
    document = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def assert_valid_xspf(content: bytes) -> None:
    errors = xspf_errors(content)
    assert not errors, "\n".join(errors)


def assert_valid_jspf(document: Any) -> None:
    """JSPF: {"playlist": {..., "track": [...]}} with XSPF's track fields and types."""
    assert set(document) == {"playlist"}, document
    playlist = document["playlist"]
    assert isinstance(playlist.get("title", ""), str)
    assert isinstance(playlist["track"], list)
    for track in playlist["track"]:
        assert set(track) <= _JSPF_TRACK_FIELDS, track
        # location and identifier may repeat in XSPF, so JSPF gives them as lists.
        for repeated in ("location", "identifier"):
            assert all(isinstance(uri, str) for uri in track.get(repeated, [])), track
        assert all(isinstance(track[f], str) for f in ("title", "creator", "info") if f in track)


def assert_valid_m3u8(text: str) -> list[tuple[str, str]]:
    """Extended M3U: #EXTM3U first, then #EXTINF lines each followed by its URL.

    Returns (the #EXTINF line's "artist - title", the URL) per track.
    """
    lines = text.splitlines()
    assert lines and lines[0] == "#EXTM3U", lines[:2]
    tracks: list[tuple[str, str]] = []
    body = [line for line in lines[1:] if not line.startswith("#PLAYLIST:")]
    assert len(body) % 2 == 0, body
    for info, url in zip(body[::2], body[1::2], strict=True):
        assert info.startswith("#EXTINF:-1,"), info
        assert not url.startswith("#") and url.startswith(("http://", "https://")), url
        tracks.append((info.removeprefix("#EXTINF:-1,"), url))
    return tracks
