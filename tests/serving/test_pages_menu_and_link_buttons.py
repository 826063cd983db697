"""The site menu leads to the radio from every page, and the "Copy as text" buttons beside every
list's download links are styled wherever a list is shown, the song page included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
RADIO_ENTRY = re.compile(r'<a href="/radio"( aria-current="page")?>Radio</a>')


def menu(api: Client, path: str) -> str:
    response = api.get(path)
    assert response.status_code == 200, path
    found = MENU.search(response.content.decode())
    assert found, f"no main menu on {path}"
    return found.group(1)


def css_rules(text: str) -> dict[str, str]:
    """Each selector of the stylesheet -> the declarations of the rule it stands in."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        for selector in selectors.split(","):
            rules[" ".join(selector.split())] = rules.get(" ".join(selector.split()), "") + body
    return rules


@pytest.mark.parametrize("path", ["/", "/songs/{song}", "/map", "/model", "/api/docs"])
def test_every_page_menu_has_a_radio_entry_to_the_radio_without_seeds(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, path: str
) -> None:
    entry = RADIO_ENTRY.search(menu(api, path.format(song=catalogue.id("Jolene"))))
    assert entry, path
    assert entry.group(1) is None, "the radio entry is marked current on another page"


def test_on_the_radio_page_the_radio_entry_is_the_current_one_and_offers_a_search(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    nav = menu(api, "/radio")
    entry = RADIO_ENTRY.search(nav)
    assert entry and entry.group(1), nav
    assert nav.count('aria-current="page"') == 1
    assert '<form class="radio-search"' in api.get("/radio").content.decode()


def test_the_song_page_copy_button_has_the_site_wide_link_button_style(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    page = api.get(f"/songs/{catalogue.id('Jolene')}").content.decode()
    assert '<button type="button" class="link-button copy-text"' in page
    assert '<article class="song-page">' in page  # neither .results-panel nor .radio-export
    stylesheet = finders.find("recommender/site.css")
    assert isinstance(stylesheet, str)
    rules = css_rules(Path(stylesheet).read_text(encoding="utf-8"))
    # Not only under one page's container: the class itself carries the style.
    declarations = rules.get(".link-button", "")
    for wanted in ("background: none", "border: 0", "color: var(--accent)", "cursor: pointer"):
        assert wanted in declarations, (wanted, declarations)
    assert declarations == rules[".linkish"], "the two link-like buttons look different"
