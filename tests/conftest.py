"""Fixtures every test folder may use: small yes_* folders and the real data set's folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.yes_folder import write_yes_folder

REPO_ROOT = Path(__file__).resolve().parent.parent


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
