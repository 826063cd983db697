"""The song page's legend says what its bars show: a comparison within the list, not a score."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


def test_bars_are_scaled_within_the_list_and_the_legend_says_so(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    page = api.get(f"/songs/{catalogue.id('Billie Jean')}").content.decode()
    similar = page.split('id="neighbours-title"', 1)[1].split("</ol>", 1)[0]
    widths = [
        float(w) for w in re.findall(r'class="strength-fill" style="width:([\d.]+)%"', similar)
    ]
    scores = [
        float(s)
        for s in re.findall(r'<span class="visually-hidden">score </span>([-\d.]+)', similar)
    ]

    assert len(widths) == len(scores) >= 2
    # Relative, not the score: the best fills the bar whatever its score, the weakest a sliver.
    assert widths[scores.index(max(scores))] == 100.0
    assert widths[scores.index(min(scores))] == 15.0
    assert max(scores) < 1.0
    legend = similar.split('class="muted small bar-legend">', 1)[1].split("</p>", 1)[0]
    assert "compares a song with the others in this list" in legend
    assert "the best match fills it" in legend
    assert "The bar is the score" not in page
    assert "cosine" not in legend
