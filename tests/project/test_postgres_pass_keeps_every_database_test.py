"""bin/test's PostgreSQL pass collects only the tests that use the database (tests/conftest.py):
a test that reaches the database in any of pytest-django's ways must count as one."""

from __future__ import annotations

import pytest

from tests.conftest import uses_database


def test_a_test_without_the_database_runs_on_the_first_pass_only(
    request: pytest.FixtureRequest,
) -> None:
    assert not uses_database(request.node)


@pytest.mark.django_db
def test_the_django_db_mark_counts(request: pytest.FixtureRequest) -> None:
    assert uses_database(request.node)


def test_the_db_fixture_counts(request: pytest.FixtureRequest, db: None) -> None:
    assert uses_database(request.node)


def test_a_fixture_that_sets_the_database_up_counts(
    request: pytest.FixtureRequest, django_db_setup: None
) -> None:
    # What the worker tests' test_env does: the worker process finds the test database.
    assert uses_database(request.node)


def test_the_live_server_counts(request: pytest.FixtureRequest, live_server: object) -> None:
    assert uses_database(request.node)
