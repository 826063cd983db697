"""`gunicorn -c python:config.gunicorn` (what bin/up runs) writes its own records in the app's
format: with DJANGO_LOG_FORMAT=json every line of the server's output is one JSON object,
gunicorn's start and shutdown as well as the app's request lines, and no access log besides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.plain_gunicorn import plain_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = ("-c", "python:config.gunicorn")


def test_every_line_is_one_json_record(
    catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    env = {"DJANGO_LOG_FORMAT": "json", "DJANGO_LOG_LEVEL": "INFO"}
    with plain_gunicorn(log=log, env=env, options=CONFIG) as server:
        assert server.request("GET", f"/api/songs/{catalogue.id('Jolene')}")[0] == 200
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    by_gunicorn = [r["message"] for r in records if r["logger"] == "gunicorn.error"]
    assert by_gunicorn[0].startswith("Starting gunicorn")
    assert any(message.startswith("Booting worker") for message in by_gunicorn)
    requests = [r for r in records if r["logger"] == "songrec.request"]
    assert [r["path"] for r in requests if r["method"] == "GET"][-1].startswith("/api/songs/")
    assert not [r for r in records if r["logger"] == "gunicorn.access"]


def test_text_lines_from_gunicorn_read_like_the_apps(
    catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    env = {"DJANGO_LOG_FORMAT": "text", "DJANGO_LOG_LEVEL": "INFO"}
    with plain_gunicorn(log=log, env=env, options=CONFIG):
        pass
    first = log.read_text().splitlines()[0]
    # time, level, logger, message: `2026-12-02 15:40:01,123 INFO gunicorn.error Starting ...`
    assert first.split(" ", 4)[2:] == [
        "INFO",
        "gunicorn.error",
        "Starting gunicorn " + first.split()[-1],
    ]
