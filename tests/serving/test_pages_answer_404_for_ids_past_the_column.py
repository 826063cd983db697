"""A song page for an id no 32-bit column can hold answers 404, as the API does, not 500."""

import pytest
from django.test import Client

from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("song_id", [2**31, 2**63 - 1, 2**63, 10**30])
def test_a_song_page_past_the_largest_id_is_not_found(
    api: Client, catalogue: Catalogue, song_id: int
) -> None:
    assert api.get(f"/songs/{song_id}").status_code == 404
    assert api.get(f"/api/songs/{song_id}").status_code == 404


def test_the_largest_real_id_still_has_its_page(api: Client, catalogue: Catalogue) -> None:
    assert api.get(f"/songs/{catalogue.id('Jolene')}").status_code == 200
