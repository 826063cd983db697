"""A plain similar request is answered from the version's stored lists (ml/similar_table.py),
and the answer is the ranked one to the byte: for every song of the catalogue, the API's body
is the same with the table and with the Recommender ranking every list itself. The song page
reads the same lists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from recommender import serving
from recommender.ml.recommender import Recommender
from recommender.ml.similar_table import SimilarTable
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(active_version: ModelVersion) -> Iterator[Recommender]:
    """The served Recommender; whatever a test does to its table is undone afterwards."""
    recommender = serving.serving_model().recommender
    table = recommender.similar_table
    yield recommender
    recommender.similar_table = table


def _bodies(api: Client, songs: list[int], queries: list[str]) -> dict[str, bytes]:
    out = {}
    for song in songs:
        for query in queries:
            url = f"/api/songs/{song}/similar{query}"
            response = api.get(url)
            assert response.status_code == 200, response.content
            out[url] = response.content
        page = api.get(f"/songs/{song}")
        assert page.status_code == 200
        out[f"/songs/{song}"] = page.content
    return out


def test_every_song_answers_as_ranked(
    api: Client, catalogue: Catalogue, served: Recommender
) -> None:
    table = served.similar_table
    assert isinstance(table, SimilarTable)
    songs = list(range(len(table.stored)))
    # Every song the model places has a stored list; the never-played one has not.
    assert table.stored[catalogue.id("Billie Jean")]
    assert not table.stored[catalogue.unplayed_id]
    queries = ["", "?k=1", "?k=4", "?k=10", "?k=10&familiarity=0.5", "?k=12"]
    from_table = _bodies(api, songs, queries)

    served.similar_table = None
    ranked = _bodies(api, songs, queries)
    assert from_table == ranked
    assert len(from_table) == len(songs) * (len(queries) + 1)
