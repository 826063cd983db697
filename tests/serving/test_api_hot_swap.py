"""Activating another version switches the answers with no restart and no failed request."""

import json
import threading
import time

import pytest
from django.test import Client

from recommender import training
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


def activate(version: ModelVersion) -> None:
    training.model_version_activate(version_id=version.id)


def test_the_next_request_after_activation_answers_with_the_new_version(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    first = train_version(seed=1)
    url = f"/api/songs/{catalogue.id('Billie Jean')}/similar"
    assert api.get(url).json()["model_version"] == first.id
    second = train_version(seed=2, activate=False)
    activate(second)
    body = api.get(url).json()
    assert body["model_version"] == second.id
    assert api.get("/api/models/active").json()["id"] == second.id
    assert api.get("/healthz").json()["model_version"] == second.id
    activate(first)
    assert api.get(url).json()["model_version"] == first.id


def test_the_active_version_check_is_throttled(
    api: Client, catalogue: Catalogue, train_version, settings
) -> None:
    first = train_version(seed=1)
    url = f"/api/songs/{catalogue.id('Billie Jean')}/similar"
    assert api.get(url).json()["model_version"] == first.id
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 3600
    second = train_version(seed=2, activate=False)
    activate(second)
    # Within the interval the process does not ask the database again.
    assert api.get(url).json()["model_version"] == first.id
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0
    assert api.get(url).json()["model_version"] == second.id


@pytest.mark.django_db(transaction=True)
def test_requests_during_a_swap_all_succeed(catalogue: Catalogue, train_version) -> None:
    """Threads keep asking while versions alternate; every answer is a 200 from one of them."""
    first = train_version(seed=1)
    second = train_version(seed=2, activate=False)
    url = f"/api/songs/{catalogue.id('Jolene')}/similar"
    seen: list[tuple[int, int | None]] = []
    stop = threading.Event()

    def ask() -> None:
        client = Client()
        try:
            while not stop.is_set():
                response = client.get(url)
                ok = response.status_code == 200
                seen.append(
                    (response.status_code, response.json()["model_version"] if ok else None)
                )
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for version in (second, first, second):
            start = len(seen)
            activate(version)
            # Let the readers answer several times from this version before swapping again.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if sum(1 for _, v in seen[start:] if v == version.id) >= 5:
                    break
                time.sleep(0.01)
            assert sum(1 for _, v in seen[start:] if v == version.id) >= 5, f"v{version.id}"
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert len(seen) >= 15
    assert {status for status, _ in seen} == {200}
    assert {version for _, version in seen} == {first.id, second.id}


def test_answers_within_the_check_interval_use_no_database_query(
    api: Client,
    catalogue: Catalogue,
    active_version: ModelVersion,
    settings,
    django_assert_num_queries,
) -> None:
    url = f"/api/songs/{catalogue.id('Jolene')}/similar"
    assert api.get(url).status_code == 200  # loads the model
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 3600
    payload = json.dumps({"seeds": [catalogue.id("Jolene"), catalogue.id("Halo")]})
    with django_assert_num_queries(0):
        assert api.get(url).status_code == 200
        response = api.post("/api/recommendations", payload, content_type="application/json")
        assert response.status_code == 200
