"""The home page reads a shared link's seeds and options, and says what it had to leave out."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.test import Client

from recommender.api_limits import MAX_SEEDS
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

_STATE = re.compile(r'<script id="home-state" type="application/json">(.*?)</script>', re.S)
_NOTES = re.compile(r'<div id="link-notes"[^>]*>(.*?)</div>', re.S)


def _home(api: Client, query: str) -> tuple[dict[str, Any], list[str], str]:
    """The state given to home.js, the notes shown (as text) and the page."""
    page = api.get(f"/?{query}").content.decode()
    state = json.loads(_STATE.search(page).group(1))  # type: ignore[union-attr]
    shown = _NOTES.search(page).group(1)  # type: ignore[union-attr]
    notes = [html.unescape(note) for note in re.findall(r'<p class="notice">(.*?)</p>', shown)]
    return state, notes, page


def test_a_link_opens_on_its_seeds_in_order_with_its_options(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Fade To Black"), catalogue.id("Billie Jean")]
    state, notes, page = _home(
        api, f"seeds={seeds[0]},{seeds[1]},{seeds[0]}&familiarity=0.3&max_per_artist=1"
    )
    assert [song["id"] for song in state["seeds"]] == seeds
    assert [song["title"] for song in state["seeds"]] == ["Fade To Black", "Billie Jean"]
    assert (state["familiarity"], state["max_per_artist"], notes) == (0.3, 1, [])
    assert 'value="0.3"' in page
    assert 'id="one-per-artist" checked' in page


def test_unknown_and_malformed_ids_are_named_in_a_note(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    billie = catalogue.id("Billie Jean")
    state, notes, page = _home(api, f"seeds=999999,{billie},<b>x</b>,99999999999")
    assert [song["id"] for song in state["seeds"]] == [billie]
    assert notes == [
        "Not song ids, left out: <b>x</b>, 99999999999.",
        "Not in the catalogue, left out: song id 999999.",
    ]
    assert "<b>x</b>" not in page
    assert state["notes"] == notes


def test_more_seeds_than_the_api_takes_are_cut_with_a_note(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    known = [catalogue.id("Billie Jean"), catalogue.id("Jolene")]
    ids = known + list(range(1_000_000, 1_000_000 + MAX_SEEDS + 8))
    state, notes, _ = _home(api, "seeds=" + ",".join(str(song) for song in ids))
    assert [song["id"] for song in state["seeds"]] == known
    assert notes[0] == (
        f"This link lists {len(ids)} songs; at most {MAX_SEEDS} can be picked, "
        f"so the first {MAX_SEEDS} are used."
    )
    # The ids past the limit are not looked up, so only those within it are named.
    assert notes[1].startswith("Not in the catalogue, left out: song ids 1000000, 1000001,")
    assert notes[1].endswith(f"and {MAX_SEEDS - len(known) - 10} more.")


@pytest.mark.parametrize("value", ["abc", "2", "-1", "nan", "inf"])
def test_a_familiarity_outside_0_to_1_falls_back_to_the_middle_with_a_note(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, value: str
) -> None:
    state, notes, _ = _home(api, f"seeds={catalogue.id('Jolene')}&familiarity={value}")
    assert state["familiarity"] == 0.5
    assert notes == ["familiarity must be a number from 0 to 1; using 0.5 instead."]


def test_catalogue_text_in_the_state_is_escaped(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    state, _, page = _home(api, f"seeds={catalogue.id('<script>alert(1)</script>')}")
    assert state["seeds"][0]["title"] == "<script>alert(1)</script>"
    assert "<script>alert(1)" not in page
