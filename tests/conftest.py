"""Fixtures every test folder may use: small yes_* folders and the real data set's folder.

With TESTS_DATABASE_ONLY=1 (bin/test's second pass, on PostgreSQL) only the tests that use
the database are collected; the others ran on the first pass, and a database changes nothing
for them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.yes_folder import write_yes_folder

REPO_ROOT = Path(__file__).resolve().parent.parent


# Every pytest-django fixture that opens the test database requires one of these, or is
# live_server (which asks for the database itself when it starts).
_DATABASE_FIXTURES = frozenset({"django_db_setup", "_django_db_helper", "live_server"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TESTS_DATABASE_ONLY") != "1":
        return
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        (kept if uses_database(item) else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def uses_database(item: pytest.Item) -> bool:
    """True for a test that may reach the database.

    pytest-django refuses database access to any other test in this process. A child process
    (a worker, a server) only finds the test database through a test that set it up, so
    such tests are caught here too.
    """
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.fixture
def yes_folder(tmp_path: Path) -> Callable[..., Path]:
    """Factory: yes_folder(songs=..., playlists=..., ...) -> a folder in the data set's format."""
    counter = iter(range(1_000_000))

    def make(**kwargs: object) -> Path:
        return write_yes_folder(tmp_path / f"yes_{next(counter)}", **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The real yes_complete folder; CI provides it beside the repository (../shared/data)."""
    folder = Path(
        os.environ.get("SONGREC_REAL_DATA", REPO_ROOT.parent / "shared" / "data" / "yes_complete")
    )
    if not (folder / "train.txt").is_file():
        pytest.fail(
            f"The real data folder {folder} is missing: set SONGREC_REAL_DATA to a yes_complete "
            "folder (CI always has ../shared/data/yes_complete)."
        )
    return folder
