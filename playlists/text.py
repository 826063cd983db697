"""Text cleaning shared by the ingest (what we store) and search (what we compare)."""

import html
import re
import unicodedata


def clean_display_text(raw: str) -> str:
    """What people read: HTML entities unescaped (`&#x26;` -> `&`), `\\/` shown as `/`."""
    return html.unescape(raw.replace("\\/", "/")).strip()


def search_key(text: str) -> str:
    """Lower-cased, accent-free, single-spaced text, so that "Beyonce" finds "Beyoncé"."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_marks.casefold().split())


# The longest search_text: a title and an artist of at most 500 characters each, and a space.
SEARCH_TEXT_MAX = 1001


def search_query_key(query: str) -> str | None:
    """The search key of what someone typed into a search box: its distinct words, in order.

    None when no song can match. Every word becomes a LIKE filter (and the key a LIKE prefix),
    so the key must stay within what both databases take: a NUL (which PostgreSQL refuses in
    text, and no stored text holds) separates words like a space; a word said twice is one
    filter; and a key longer than any search_text matches nothing (SQLite refuses a LIKE
    pattern over 50,000 bytes and a few thousand ANDed filters). `%` and `_` need nothing
    here: the ORM's `contains` escapes them, so they match themselves.
    """
    words = dict.fromkeys(search_key(query.replace("\x00", " ")).split(" "))
    key = " ".join(words)
    return key if len(key) <= SEARCH_TEXT_MAX else None


def search_words(key: str) -> list[str]:
    """The words of a search key, each one filter."""
    return key.split(" ") if key else []


# A title the data set uses for a deleted or unknown entry: "-", or a code like MG_DELETED.
_PLACEHOLDER_TITLE = re.compile(r"-?|[A-Z]+(?:_[A-Z]+)+")
_NO_ARTIST = frozenset({"", "-"})


def is_placeholder(*, title: str, artist: str) -> bool:
    """A row that stands for no real song: "-" by "-" (1,792 in yes_complete), "MG_DELETED"
    by "-" (5). A real title by an unknown artist ("Papa Was A Rolling Stone" by "-") is a song.
    """
    title, artist = title.strip(), artist.strip()
    return (
        not title
        or title == "-"
        or (artist in _NO_ARTIST and bool(_PLACEHOLDER_TITLE.fullmatch(title)))
    )
