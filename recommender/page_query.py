"""The seeds and options a shareable page address holds (`/?seeds=3822,842&familiarity=0.3`).

A shared or bookmarked link may be old or hand-edited: songs may have left the catalogue, the
list may be longer than the API takes, a value may be out of range. Nothing is dropped
silently: each such change is written into `notes`, which the page shows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.http import QueryDict

from playlists.selectors import SongInfo
from recommender.api_limits import MAX_SEEDS
from recommender.ml.familiarity import DEFAULT_FAMILIARITY
from recommender.serving.song_tags import songs_shown

# The slider's step: a value from the address is rounded to it, as the slider would do.
FAMILIARITY_STEP = 0.1
_ID = re.compile(r"[0-9]{1,10}")
# Ids or pieces named in one note: enough to recognise them, short enough to read.
_NAMED_IN_NOTE = 10


@dataclass(frozen=True)
class PageQuery:
    seeds: list[SongInfo]
    familiarity: float
    max_per_artist: int | None
    notes: list[str]


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_NAMED_IN_NOTE])
    more = len(items) - _NAMED_IN_NOTE
    return f"{shown} and {more} more" if more > 0 else shown


def seeds_read(raw: str, notes: list[str]) -> list[SongInfo]:
    """The catalogue songs a `seeds=` value names, in its order; a note for each left out."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    malformed = [part for part in parts if not _ID.fullmatch(part)]
    if malformed:
        notes.append(f"Not song ids, left out: {_listed(malformed)}.")
    # In the order given, each once: the same song twice is the same seed.
    ids = list(dict.fromkeys(int(part) for part in parts if _ID.fullmatch(part)))
    if len(ids) > MAX_SEEDS:
        notes.append(
            f"This link lists {len(ids)} songs; at most {MAX_SEEDS} can be picked, "
            f"so the first {MAX_SEEDS} are used."
        )
        ids = ids[:MAX_SEEDS]
    if not ids:
        # The plain start page reads nothing: it must render while the database is down.
        return []
    found = songs_shown(song_ids=ids)
    unknown = [str(song_id) for song_id in ids if song_id not in found]
    if unknown:
        label = "song id" if len(unknown) == 1 else "song ids"
        notes.append(f"Not in the catalogue, left out: {label} {_listed(unknown)}.")
    return [found[song_id] for song_id in ids if song_id in found]


def familiarity_read(raw: str | None, notes: list[str]) -> float:
    """The familiarity of a page address, on the slider's steps (a note when it is refused)."""
    if raw is None or raw == "":
        return DEFAULT_FAMILIARITY
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:  # NaN and infinities fail too
        notes.append(
            f"familiarity must be a number from 0 to 1; using {DEFAULT_FAMILIARITY} instead."
        )
        return DEFAULT_FAMILIARITY
    return round(round(value / FAMILIARITY_STEP) * FAMILIARITY_STEP, 1)


def _max_per_artist(raw: str | None, notes: list[str]) -> int | None:
    # The page has one switch, "at most one song per artist": 1 or no cap.
    if raw is None or raw == "":
        return None
    if raw.strip() == "1":
        return 1
    notes.append("max_per_artist can only be 1 on this page; showing every artist's songs.")
    return None


def page_query_read(*, query: QueryDict) -> PageQuery:
    """The seeds (catalogue songs, in the link's order) and options of a page's query string.

    Invariants: at most MAX_SEEDS seeds, no seed twice, familiarity in 0..1 on the slider's
    step; every id or value left out or replaced has a note saying so.
    """
    notes: list[str] = []
    seeds = seeds_read(query.get("seeds", ""), notes)
    return PageQuery(
        seeds=seeds,
        familiarity=familiarity_read(query.get("familiarity"), notes),
        max_per_artist=_max_per_artist(query.get("max_per_artist"), notes),
        notes=notes,
    )
