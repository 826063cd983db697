"""Fuzzing every operation of the app's own OpenAPI document finds no 500 and no answer the
document does not promise (the checks are listed in tests/serving/fuzzing.py).

Schemathesis makes one test per operation and sends the requests in process, through Django's
WSGI handler with every middleware. Hypothesis runs derandomized, so CI sends the same cases
every time; bench/api_fuzz.py runs the same checks far longer against the real data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import hypothesis
import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from schemathesis import Case

from recommender.api import openapi_document
from tests.serving.catalogue import GROUP_SIZE, GROUPS, Catalogue
from tests.serving.conftest import TrainVersion
from tests.serving.fuzzing import fuzz_schema, search_words

# Random cases per operation, on top of the document's examples and the coverage cases.
MAX_EXAMPLES = 50
# An operation without parameters has one valid request; coverage adds the 7 other methods.
MIN_CASES_WITHOUT_INPUT = 8
# catalogue_create's song ids: the six groups, then the rare and the unplayed song.
CATALOGUE_IDS = list(range(len(GROUPS) * GROUP_SIZE + 2))
SCHEMA = fuzz_schema(
    song_ids=CATALOGUE_IDS,
    queries=search_words(text for _, songs in GROUPS for song in songs for text in song),
)


@pytest.fixture
def wsgi_app(settings, catalogue: Catalogue, train_version: TrainVersion) -> Iterator[WSGIHandler]:
    """Django's WSGI handler, as gunicorn calls it, over the catalogue and an active model."""
    assert sorted(catalogue.ids.values()) == CATALOGUE_IDS
    train_version()
    # The rate limiter stays in the chain (it reads the settings when the handler is built),
    # with a limit no run reaches: a 429 would answer in place of the API.
    settings.RECOMMENDER_API_RATE_LIMIT = 1_000_000
    settings.RECOMMENDER_API_RATE_BURST = 1_000_000
    # As django.test.Client does: Django closes the connection after every request, and the
    # test's data lives in a transaction on it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def statuses(request: pytest.FixtureRequest, record_property) -> Iterator[Counter[int]]:
    """The status of every case; afterwards, that enough cases ran and reached the happy path.

    A run that sends nothing would pass every check, so its size is part of the test.
    """
    seen: Counter[int] = Counter()
    yield seen
    label = request.node.operation_label  # type: ignore[attr-defined]
    method, path = label.split(" ", 1)
    operation = openapi_document()["paths"][path][method.lower()]
    takes_input = "parameters" in operation or "requestBody" in operation
    print(f"{label}: {seen.total()} cases, statuses {dict(sorted(seen.items()))}")
    record_property("fuzz_cases", seen.total())
    assert seen.total() >= (MAX_EXAMPLES if takes_input else MIN_CASES_WITHOUT_INPUT), label
    # Real song ids and search words: the successful answers are fuzzed too, not only errors.
    assert seen[200] >= (MAX_EXAMPLES // 5 if takes_input else 1), (label, seen)
    assert 429 not in seen, label


@pytest.mark.django_db
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # The app is built once per operation and only read: sharing it between cases is intended.
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
)
@SCHEMA.parametrize()
def test_every_answer_is_one_the_document_promises(
    case: Case, wsgi_app: WSGIHandler, statuses: Counter[int]
) -> None:
    response = case.call_and_validate(app=wsgi_app)
    statuses[response.status_code] += 1
