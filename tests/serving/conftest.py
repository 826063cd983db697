"""Fixtures for the serving tests: a small catalogue, models trained by the tests themselves,
and a headless Debian Chromium for the browser tests."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from recommender import serving, training
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue, catalogue_create
from tests.serving.trained_versions import TrainedVersions

TrainVersion = Callable[..., ModelVersion]


@pytest.fixture(autouse=True)
def serving_settings(settings: object, tmp_path: Path) -> Iterator[None]:
    """Own artifact folder per test, an always-fresh active-version check, a cold process."""
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"  # type: ignore[attr-defined]
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0  # type: ignore[attr-defined]
    settings.RECOMMENDER_API_RATE_LIMIT = 0  # type: ignore[attr-defined]
    serving.serving_reset()
    yield
    serving.serving_reset()


@pytest.fixture
def catalogue(db: None) -> Catalogue:
    return catalogue_create()


@pytest.fixture(scope="session")
def trained_versions(tmp_path_factory: pytest.TempPathFactory) -> TrainedVersions:
    return TrainedVersions(tmp_path_factory.mktemp("trained-versions"))


@pytest.fixture
def train_version(catalogue: Catalogue, trained_versions: TrainedVersions) -> TrainVersion:
    """Factory: a version trained on the catalogue's playlists in-process, then activated.

    The row is created directly (not with model_version_create) so that no message goes to
    a Celery queue: training_run_execute is the service the worker task wraps. A version
    this session already trained the same way is copied in instead (trained_versions.py).
    """

    def train(*, seed: int = 1, epochs: int = 15, activate: bool = True) -> ModelVersion:
        version = trained_versions.version(
            {
                "vector_size": 16,
                "window": 3,
                "negative": 5,
                "epochs": epochs,
                "min_count": 2,
                # Every song of a tiny catalogue is "frequent": down-sampling would drop most
                # plays.
                "sample": 0,
                "seed": seed,
            }
        )
        if activate:
            training.model_version_activate(version_id=version.id)
            version.refresh_from_db()
        return version

    return train


@pytest.fixture
def active_version(train_version: TrainVersion) -> ModelVersion:
    return train_version()


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("SONGREC_CHROMIUM", "/usr/bin/chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    # Console messages of the page, so that tests can fail on JavaScript errors.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with tempfile.TemporaryDirectory(prefix="songrec-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        service = Service(os.environ.get("SONGREC_CHROMEDRIVER", "/usr/bin/chromedriver"))
        driver = webdriver.Chrome(options=options, service=service)
        try:
            yield driver
        finally:
            driver.quit()


def assert_no_console_errors(driver: WebDriver) -> None:
    # get_log is Chrome's own (ChromiumDriver), not in the base WebDriver's stubs.
    log = driver.get_log("browser")  # type: ignore[attr-defined]
    errors = [entry for entry in log if entry["level"] == "SEVERE"]
    assert not errors, errors


@pytest.fixture
def api() -> Client:
    return Client()
