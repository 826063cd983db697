"""Template filters for the site's pages."""

from typing import Any
from urllib.parse import quote, urlencode

from django import template

register = template.Library()


@register.filter
def percent(value: object) -> str:
    """A score as a bar width: 0..1 -> "0.0".."100.0", clamped (cosine can be negative)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "0"
    return f"{max(0.0, min(1.0, number)) * 100:.1f}"


# Search pages of common services: plain links, no API keys; {} is the URL-encoded query.
LISTEN_SERVICES = (
    ("YouTube", "https://www.youtube.com/results?search_query={}"),
    ("Spotify", "https://open.spotify.com/search/{}"),
    ("Apple Music", "https://music.apple.com/us/search?term={}"),
)


@register.simple_tag
def listen_links(title: str, artist: str) -> list[tuple[str, str]]:
    """(service, search URL) for a song's title and artist, the query percent-encoded."""
    query = quote(f"{artist} {title}", safe="")
    return [(name, pattern.format(query)) for name, pattern in LISTEN_SERVICES]


@register.simple_tag
def export_query(songs: list[Any], title: str) -> str:
    """The export endpoints' query string for these songs, in order (each has an `id`)."""
    return urlencode({"songs": ",".join(str(song.id) for song in songs), "title": title})


@register.simple_tag
def copy_text(songs: list[Any]) -> str:
    """Lines of artist, en dash, title: what "Copy as text" puts on the clipboard."""
    # An en dash (U+2013) reads better than "-" between names that may hold hyphens.
    return "\n".join(f"{song.artist} \u2013 {song.title}" for song in songs)
