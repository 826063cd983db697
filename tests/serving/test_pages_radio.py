"""The /radio page's server side: its seeds and controls, and a clear message for every
address it cannot start a station from."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
RADIO_JS = '<script src="/static/recommender/radio.js" defer>'


def page(api: Client, query: str = "") -> str:
    response = api.get("/radio" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_seeds_and_familiarity_from_the_address_reach_the_page(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    jolene, cash = catalogue.id("Jolene"), catalogue.id("Ring of Fire")
    html = page(api, f"?seeds={jolene},{cash},{jolene}&familiarity=0.8")
    assert f'data-seeds="{jolene},{cash}"' in html
    assert f'href="/songs/{jolene}">Jolene</a>' in html
    assert f'href="/songs/{cash}">Ring of Fire</a>' in html
    assert re.search(r'<input id="familiarity" type="range"[^>]* value="0.8"', html)
    assert '<label for="familiarity"' in html
    assert 'id="radio-status"' in html and 'aria-live="polite"' in html
    assert RADIO_JS in html
    assert 'role="alert"' not in html  # no problem to report


def test_without_seeds_the_page_offers_a_search_and_the_home_page(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    html = page(api)
    assert "No songs were given to start from" in html
    assert '<form class="radio-search" method="get" action="/radio"' in html
    assert 'name="q"' in html and 'href="/"' in html
    assert RADIO_JS not in html


def test_a_search_lists_songs_to_start_a_radio_from(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    html = page(api, "?q=billie")
    assert f'href="/radio?seeds={catalogue.id("Billie Jean")}"' in html
    assert f'href="/radio?seeds={catalogue.id("Bad Guy")}"' in html  # Billie Eilish
    assert f'href="/radio?seeds={catalogue.id("Jolene")}"' not in html
    assert "No song matches “zzzz”" in page(api, "?q=zzzz")


def test_unknown_ids_are_named_and_the_station_starts_from_the_known_seeds(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    jolene = catalogue.id("Jolene")
    html = page(api, f"?seeds={jolene},999999,888888&familiarity=0.3")
    assert "Not in the catalogue, left out: song ids 999999, 888888." in html
    assert f'data-seeds="{jolene}"' in html
    assert RADIO_JS in html
    only_unknown = page(api, "?seeds=999999")
    assert "Not in the catalogue, left out: song id 999999." in only_unknown
    assert 'name="q"' in only_unknown
    assert "No songs were given to start from" not in only_unknown
    assert RADIO_JS not in only_unknown


@pytest.mark.parametrize(
    ("query", "words", "seeds"),
    [
        ("?seeds=abc", "Not song ids, left out: abc.", ""),
        ("?seeds=1;2", "Not song ids, left out: 1;2.", ""),
        (
            f"?seeds={','.join(str(900_000 + n) for n in range(51))}",
            "This link lists 51 songs; at most 50 can be picked, so the first 50 are used.",
            "",
        ),
        ("?seeds=JOLENE,zz", "Not song ids, left out: zz.", "JOLENE"),
    ],
)
def test_seeds_that_are_not_ids_are_left_out_with_a_note(
    api: Client,
    catalogue: Catalogue,
    active_version: ModelVersion,
    query: str,
    words: str,
    seeds: str,
) -> None:
    jolene = str(catalogue.id("Jolene"))
    html = page(api, query.replace("JOLENE", jolene))
    assert words in html
    if seeds:
        assert f'data-seeds="{jolene}"' in html and RADIO_JS in html
    else:
        assert RADIO_JS not in html and 'name="q"' in html


@pytest.mark.parametrize("familiarity", ["2", "-0.1", "high", "nan"])
def test_a_familiarity_outside_zero_to_one_falls_back_to_half_and_says_so(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, familiarity: str
) -> None:
    html = page(api, f"?seeds={catalogue.id('Jolene')}&familiarity={familiarity}")
    assert "familiarity must be a number from 0 to 1; using 0.5 instead." in html
    assert re.search(r'<input id="familiarity" type="range"[^>]* value="0.5"', html)
    assert RADIO_JS in html


def test_a_title_with_markup_is_text(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    html = page(api, f"?seeds={catalogue.id(SCRIPT)}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "XSS &lt;b&gt;Band&lt;/b&gt;" in html
    assert SCRIPT not in html and "<b>Band</b>" not in html
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == [
        '<script src="/static/recommender/share.js" defer>',
        '<script src="/static/recommender/familiarity.js" defer>',
        RADIO_JS,
    ]
    search = page(api, "?q=" + "%3Cscript%3E")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in search and SCRIPT not in search


def test_without_an_active_model_the_page_says_so(api: Client, catalogue: Catalogue) -> None:
    html = page(api, f"?seeds={catalogue.id('Jolene')}")
    assert "No model yet" in html
    assert RADIO_JS not in html


def test_every_song_page_starts_a_radio_from_its_song(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    for title in ("Billie Jean", SCRIPT):
        song = catalogue.id(title)
        html = api.get(f"/songs/{song}").content.decode()
        assert f'href="/radio?seeds={song}">Start radio</a>' in html
