"""A list of songs written as M3U8, XSPF or JSPF: pure functions, no Django.

Each writer takes the playlist's title and its tracks in order; the API's export views call
them. Text from the catalogue is not trusted: control characters are dropped (they would
break M3U lines and are not allowed in XML 1.0), and XML escaping is left to ElementTree.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass

XSPF_NAMESPACE = "http://xspf.org/ns/0/"
# C0 and C1 control characters, DEL, and the surrogates and non-characters XML 1.0 forbids.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Track:
    title: str
    artist: str
    url: str


def clean_text(text: str) -> str:
    """The text with every control character (newlines and tabs too) turned into a space."""
    return " ".join(_UNSAFE.sub(" ", text).split())


def attachment_filename(title: str, *, extension: str) -> str:
    """An ASCII file name from the title: letters, digits, '-' and '_' only, never empty."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:80].strip("-")
    return f"{stem or 'playlist'}.{extension}"


def m3u8_write(title: str, tracks: list[Track]) -> str:
    """Extended M3U in UTF-8: #EXTM3U, #PLAYLIST, then #EXTINF and the URL per track."""
    lines = ["#EXTM3U", f"#PLAYLIST:{clean_text(title)}"]
    for track in tracks:
        # The duration is not known: -1 is extended M3U's "unknown".
        lines.append(f"#EXTINF:-1,{clean_text(track.artist)} - {clean_text(track.title)}")
        lines.append(clean_text(track.url))
    return "\n".join(lines) + "\n"


def xspf_write(title: str, tracks: list[Track]) -> bytes:
    """XSPF version 1 (the format JSPF mirrors), UTF-8 with an XML declaration."""
    ET.register_namespace("", XSPF_NAMESPACE)

    def element(parent: ET.Element, name: str, text: str) -> None:
        ET.SubElement(parent, f"{{{XSPF_NAMESPACE}}}{name}").text = clean_text(text)

    playlist = ET.Element(f"{{{XSPF_NAMESPACE}}}playlist", {"version": "1"})
    element(playlist, "title", title)
    track_list = ET.SubElement(playlist, f"{{{XSPF_NAMESPACE}}}trackList")
    for track in tracks:
        item = ET.SubElement(track_list, f"{{{XSPF_NAMESPACE}}}track")
        # The XSD's order within <track>: location, ..., title, creator, ..., info.
        element(item, "location", track.url)
        element(item, "title", track.title)
        element(item, "creator", track.artist)
        element(item, "info", track.url)
    return ET.tostring(playlist, encoding="utf-8", xml_declaration=True)


def jspf_write(title: str, tracks: list[Track]) -> str:
    """JSPF: XSPF's structure in JSON, `location` a list as in the JSPF draft."""
    payload = {
        "playlist": {
            "title": clean_text(title),
            "track": [
                {
                    "location": [clean_text(track.url)],
                    "title": clean_text(track.title),
                    "creator": clean_text(track.artist),
                    "info": clean_text(track.url),
                }
                for track in tracks
            ],
        }
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
