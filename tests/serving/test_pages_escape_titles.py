"""Titles and artists with markup, ampersands and quotes render as text on every page."""

import re

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def test_a_script_title_is_text_on_its_own_page(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    page = api.get(f"/songs/{catalogue.id(SCRIPT)}").content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "XSS &lt;b&gt;Band&lt;/b&gt;" in page
    assert "<b>Band</b>" not in page
    # The only scripts on the page are our own files.
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == ['<script src="/static/recommender/share.js" defer>']


def test_a_script_title_is_text_among_the_neighbours(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    # Fade To Black's neighbours are the metal group, which holds the script song.
    page = api.get(f"/songs/{catalogue.id('Fade To Black')}").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT not in page


def test_ampersands_and_quotes_are_escaped(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    title = 'Nuthin\' but a "G" Thang'
    page = api.get(f"/songs/{catalogue.id(title)}").content.decode()
    assert "Nuthin&#x27; but a &quot;G&quot; Thang" in page
    love = api.get(f"/songs/{catalogue.id('California Love (w/ Dr. Dre & Roger Troutman)')}")
    assert "California Love (w/ Dr. Dre &amp; Roger Troutman)" in love.content.decode()


def test_the_api_returns_titles_unescaped(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    # Escaping is the page's job: JSON carries the real text.
    body = api.get(f"/api/songs/{catalogue.id(SCRIPT)}").json()
    assert body["title"] == SCRIPT


def test_the_scripts_never_write_markup_from_data() -> None:
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "static" / "recommender"
    for script in static.glob("*.js"):
        source = script.read_text()
        assert not re.search(r"\.(inner|outer)HTML|insertAdjacentHTML|document\.write", source)
