"""A version replaced by a swap is freed at once: swaps under load do not pile up models."""

import gc
import weakref

import pytest
from django.test import Client

from recommender import serving, training
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


def test_after_two_swaps_only_the_serving_version_is_in_memory(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    first = train_version(seed=1)
    second = train_version(seed=2, activate=False)
    url = f"/api/songs/{catalogue.id('Billie Jean')}/similar"
    loaded = []
    for version in (first, second, first):
        training.model_version_activate(version_id=version.id)
        assert api.get(url).json()["model_version"] == version.id
        loaded.append(weakref.ref(serving.serving_model()))

    # Reference cycles are not the reason a model would stay: collect them first.
    gc.collect()
    assert [ref() is not None for ref in loaded] == [False, False, True]
