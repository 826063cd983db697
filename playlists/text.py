"""Text cleaning shared by the ingest (what we store) and search (what we compare)."""

import html
import unicodedata


def clean_display_text(raw: str) -> str:
    """What people read: HTML entities unescaped (`&#x26;` -> `&`), `\\/` shown as `/`."""
    return html.unescape(raw.replace("\\/", "/")).strip()


def search_key(text: str) -> str:
    """Lower-cased, accent-free, single-spaced text, so that "Beyonce" finds "Beyoncé"."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(without_marks.casefold().split())
