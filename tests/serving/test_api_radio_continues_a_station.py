"""POST /api/radio continues a station as documented: the latest songs as seeds, the earlier
ones in exclude. The two halves are the station that one request builds (what the radio
page's "More" relies on)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from recommender.ml.radio import HISTORY_WINDOW
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue, catalogue_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    return catalogue_create(extra_groups=6)  # 98 songs: room for 75 after the seeds


def station(api: Client, payload: dict[str, object]) -> list[int]:
    response = api.post("/api/radio", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200, response.content
    return [song["id"] for song in response.json()["songs"]]


@pytest.mark.parametrize(("familiarity", "artist_gap"), [(0.5, 3), (0.0, 3), (1.0, 7)])
def test_fifty_then_twenty_five_more_is_the_station_of_seventy_five(
    api: Client,
    catalogue: Catalogue,
    active_version: ModelVersion,
    familiarity: float,
    artist_gap: int,
) -> None:
    seeds = [catalogue.id("Billie Jean"), catalogue.id("Jolene")]
    rules = {"familiarity": familiarity, "artist_gap": artist_gap}
    whole = station(api, {"seeds": seeds, "length": 75, **rules})
    first = station(api, {"seeds": seeds, "length": 50, **rules})
    played = [*seeds, *first]
    tail = max(HISTORY_WINDOW, artist_gap)
    more = station(api, {"seeds": played[-tail:], "exclude": played[:-tail], "length": 25, **rules})
    assert len(whole) == 75
    assert first + more == whole
