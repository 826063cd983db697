"""`bin/up` prints a short log a newcomer can read: its phase headings, one line per step, one
progress bar per phase (redrawn in place), no line twice and no tool's notices (setuptools'
"Editable installation" banner, the shell's import count, the ingest summary again as a log
record). Then the first model's report, and the addresses."""

from __future__ import annotations

import re

import pytest

from tests.project.bin_up import Up

pytestmark = [pytest.mark.worker, pytest.mark.timeout(600)]

# What bin/up prints before the first model's report: five headings, broker, admin, the
# ingest's steps and its summary, worker, queued, one bar. About 25 lines.
MOST_PROGRESS_LINES = 30
# A log record (time, level, logger) in the default format.
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ")
REPORT = re.compile(r"^Model version v\d+ succeeded\.$", re.MULTILINE)


def _terminal_lines(text: str) -> list[str]:
    """Non-blank lines as a terminal shows them: a bar redrawn with "\\r" counts once."""
    lines = (line.split("\r")[-1].rstrip() for line in text.split("\n"))
    return [line for line in lines if line.strip()]


def test_the_first_run_prints_few_lines_and_none_twice(up: Up) -> None:
    # Bytes, not text: reading text would turn every "\r" of a redrawn bar into a line.
    output = up.output.read_bytes().decode("utf-8", errors="replace")
    report = REPORT.search(output)
    assert report, output
    progress = _terminal_lines(output[: report.start()])
    shown = "\n".join(progress)
    assert [line for line in progress if line.startswith("==> ")] == [
        f"==> {n}/6 {phase}"
        for n, phase in enumerate(
            ("installing into .venv", "broker", "database", "catalogue", "worker and first model"),
            start=1,
        )
    ], shown
    assert len(progress) <= MOST_PROGRESS_LINES, shown
    assert len(set(progress)) == len(progress), shown
    assert not [line for line in progress if "Warning" in line or "!!" in line], shown
    assert "imported automatically" not in shown
    # The ingest summary is printed once, not again as a log record.
    assert not [line for line in progress if LOG_RECORD.match(line)], shown
    assert sum(line.startswith("songs: ") for line in progress) == 1, shown
    assert sum(line.startswith("v1: ") for line in progress) == 1, shown
    # The report, then the addresses; bin/up prints the folder it really uses.
    assert output.count("==> 6/6 serving") == 1
    assert f"(credentials: {up.var}/admin-credentials.txt)" in output
