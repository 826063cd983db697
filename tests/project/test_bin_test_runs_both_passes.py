"""`bin/test` runs the SQLite pass and the PostgreSQL pass side by side: both report, either
one failing fails the command, and Ctrl-C ends both with nothing left running.

The real script, on a test or two. Its PostgreSQL pass names another database than the
suite's own PostgreSQL pass (which may be running beside this test): pytest-django makes
"test_" + that name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.project.bin_up import ROOT

pytestmark = [pytest.mark.worker, pytest.mark.timeout(300)]

POSTGRES = "postgres://postgres@127.0.0.1:5432/songrec_bin_test"
# A test that uses the database and takes no time: it runs in both passes.
QUICK_DATABASE_TEST = (
    "tests/recommender/test_model_version_activate_and_rollback.py"
    "::test_a_failed_version_cannot_be_activated"
)
# Tests that start a Celery worker and train: long enough to be interrupted.
WORKER_TESTS = "tests/recommender/test_train_model_command.py"
SQLITE_TITLE = "=== tests on SQLite"
POSTGRES_TITLE = "=== tests that use the database, on PostgreSQL"


def _env(tmp_path: Path, postgres_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    for variable in ("TESTS_DATABASE_ONLY", "TEST_PASSES_IN_TURN"):
        env.pop(variable, None)
    return {
        **env,
        "RECOMMENDER_VAR_DIR": str(tmp_path / "var"),
        "TEST_POSTGRES_URL": postgres_url,
    }


def _bin_test(tmp_path: Path, postgres_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bin/test", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT,
        env=_env(tmp_path, postgres_url),
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )


def _passes(output: str) -> tuple[str, str]:
    """(the SQLite pass's output, the PostgreSQL pass's), split at the second title."""
    assert SQLITE_TITLE in output and POSTGRES_TITLE in output, output
    sqlite, postgres = output.split(POSTGRES_TITLE, 1)
    return sqlite, postgres


def test_both_passes_run_the_test_and_report_in_turn(tmp_path: Path) -> None:
    done = _bin_test(tmp_path, POSTGRES, QUICK_DATABASE_TEST)
    assert done.returncode == 0, done.stdout + done.stderr
    sqlite, postgres = _passes(done.stdout)
    assert "1 passed" in sqlite
    assert "1 passed" in postgres
    # Each pass had a folder of its own.
    assert (tmp_path / "var" / "sqlite").is_dir()
    assert (tmp_path / "var" / "postgres").is_dir()


def test_a_failing_postgresql_pass_fails_the_command(tmp_path: Path) -> None:
    # Nothing listens on port 1: every database test of that pass errors.
    done = _bin_test(
        tmp_path, "postgres://postgres@127.0.0.1:1/songrec_bin_test", QUICK_DATABASE_TEST
    )
    assert done.returncode != 0, done.stdout
    sqlite, postgres = _passes(done.stdout)
    assert "1 passed" in sqlite
    assert "1 error" in postgres


def _group_processes(group: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == group and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.Error, ProcessLookupError):
            continue
    return found


def _a_worker_runs(group: int) -> bool:
    for process in _group_processes(group):
        try:
            command = " ".join(process.cmdline())
        except psutil.Error:
            continue
        if "celery" in command and " worker" in command:
            return True
    return False


def _interrupted(tmp_path: Path, env: dict[str, str]) -> str:
    """Start bin/test on WORKER_TESTS, press Ctrl-C once a worker runs, and return what it
    printed, once it has ended with Ctrl-C's status and left no process behind."""
    output = tmp_path / "output.txt"
    with output.open("w") as out:
        script = subprocess.Popen(
            # A terminal's foreground job gets Ctrl-C, even when this session ignores it (as
            # the background jobs of a CI script do, and every process they start).
            ["env", "--default-signal=INT", "bin/test", "-p", "no:cacheprovider", WORKER_TESTS],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a group of its own, like a terminal's foreground job
        )
    group = script.pid
    try:
        deadline = time.monotonic() + 120
        while not _a_worker_runs(group):
            assert script.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.1)
        os.killpg(group, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        assert script.wait(timeout=120) == 130, output.read_text()
        deadline = time.monotonic() + 30
        while _group_processes(group) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [" ".join(process.cmdline()) for process in _group_processes(group)]
        assert left == [], left
    finally:
        if script.poll() is None or _group_processes(group):
            os.killpg(group, signal.SIGKILL)
            script.wait()
    return output.read_text()


def test_ctrl_c_ends_both_passes_and_leaves_no_process(tmp_path: Path) -> None:
    sqlite, postgres = _passes(_interrupted(tmp_path, _env(tmp_path, POSTGRES)))
    assert "KeyboardInterrupt" in sqlite
    assert "KeyboardInterrupt" in postgres


def test_ctrl_c_in_turn_ends_the_first_pass_and_never_starts_the_second(tmp_path: Path) -> None:
    output = _interrupted(tmp_path, {**_env(tmp_path, POSTGRES), "TEST_PASSES_IN_TURN": "1"})
    assert SQLITE_TITLE in output and "KeyboardInterrupt" in output, output
    assert POSTGRES_TITLE not in output, output
