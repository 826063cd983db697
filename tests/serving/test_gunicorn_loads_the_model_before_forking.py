"""config/gunicorn.py loads the catalogue and the active version once, in the master, before it
forks: the workers start with it (and share its pages) instead of each reading its own copy."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.plain_gunicorn import plain_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 2
READY = re.compile(r"worker \d+ ready, model version (\S+)")


def test_the_master_loads_the_model_and_every_worker_starts_with_it(
    catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    options = ("-c", "python:config.gunicorn", "--workers", str(WORKERS), "--log-level", "info")
    with plain_gunicorn(log=log, env={"DJANGO_LOG_LEVEL": "INFO"}, options=options) as server:
        seed = catalogue.id("Billie Jean")
        for _ in range(2 * WORKERS):
            status, body = server.request("GET", f"/api/songs/{seed}/similar?k=3")
            assert status == 200
            assert json.loads(body)["model_version"] == active_version.id
        text = _log_once_every_worker_is_ready(log)
    loads = re.findall(r"serving model version (\d+)", text)
    assert loads == [str(active_version.id)], f"loaded {len(loads)} times:\n{text}"
    ready = READY.findall(text)
    assert ready == [str(active_version.id)] * WORKERS, text


def _log_once_every_worker_is_ready(log: Path) -> str:
    """gunicorn forks its workers a moment apart: the first may answer before the last starts."""
    deadline = time.monotonic() + 30
    text = log.read_text()
    while len(READY.findall(text)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
        text = log.read_text()
    return text
