"""Every log line carries time, level, logger and message; DJANGO_LOG_FORMAT=json makes each
record one JSON object; a request's line carries its status and duration.

Through a real `manage.py` process, so that what is checked is what settings.LOGGING does,
not a handler the test installed itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (
    "import logging; from django.test import Client; "
    "logging.getLogger('songrec.demo').warning('hello %s', 'world'); "
    "Client().get('/api/no-such-endpoint')"
)


def _log_lines(fmt: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_LOG_FORMAT"}
    if fmt is not None:
        env["DJANGO_LOG_FORMAT"] = fmt
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line for line in done.stderr.splitlines() if line.strip()]


def test_text_lines_start_with_time_level_and_logger() -> None:
    lines = _log_lines(None)
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert any(re.fullmatch(rf"{stamp} WARNING songrec\.demo hello world", x) for x in lines), lines
    request = [x for x in lines if " songrec.request " in x]
    assert len(request) == 1, lines
    assert re.fullmatch(
        rf"{stamp} INFO songrec\.request GET /api/no-such-endpoint 404 \d+\.\d ms", request[0]
    )


def test_json_format_writes_one_object_per_record() -> None:
    records = [json.loads(line) for line in _log_lines("json")]  # every line parses
    demo = next(r for r in records if r["logger"] == "songrec.demo")
    assert demo["level"] == "WARNING" and demo["message"] == "hello world"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", demo["time"])
    (request,) = [r for r in records if r["logger"] == "songrec.request"]
    assert (request["method"], request["path"], request["status"]) == (
        "GET",
        "/api/no-such-endpoint",
        404,
    )
    assert request["duration_ms"] >= 0


def test_an_unknown_format_stops_the_start() -> None:
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _log_lines("yaml")
    assert "DJANGO_LOG_FORMAT must be one of text, json" in failed.value.stderr
