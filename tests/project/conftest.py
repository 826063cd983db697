"""The project's own scripts, run as a newcomer runs them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.project.bin_up import Up, bin_up


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    """A `bin/up` serving a small data set (tests/project/bin_up.py)."""
    with bin_up(tmp_path) as started:
        yield started
