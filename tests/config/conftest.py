"""Fixtures for the cross-cutting tests: the serving tests' catalogue and trained model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender import serving
from tests.serving.catalogue import Catalogue, catalogue_create
from tests.serving.conftest import active_version, train_version, trained_versions

__all__ = ["active_version", "catalogue", "train_version", "trained_versions"]


@pytest.fixture
def catalogue(db: None, settings: object, tmp_path: Path) -> Iterator[Catalogue]:
    """The serving tests' catalogue, with a private artifacts folder and a cold serving cache.

    The rate limit is off: these tests send many requests from one client on purpose.
    """
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"  # type: ignore[attr-defined]
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0  # type: ignore[attr-defined]
    settings.RECOMMENDER_API_RATE_LIMIT = 0  # type: ignore[attr-defined]
    serving.serving_reset()
    yield catalogue_create()
    serving.serving_reset()
