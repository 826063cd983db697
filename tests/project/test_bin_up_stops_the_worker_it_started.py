"""`bin/up` stops the Celery worker it started when it stops, by Ctrl-C or by `bin/down`.

The real script end to end (the `up` fixture, tests/project/bin_up.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import psutil
import pytest

from tests.project.bin_up import ROOT, Up

pytestmark = [pytest.mark.worker, pytest.mark.timeout(600)]


def _gone(pid: int, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_ctrl_c_stops_the_server_and_the_worker(up: Up) -> None:
    worker = up.pid("worker")
    assert psutil.pid_exists(worker)
    os.killpg(up.process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
    up.process.wait(timeout=90)
    assert _gone(worker), up.output.read_text()
    assert "stopped worker" in up.output.read_text()


def test_bin_down_stops_a_background_bin_up(up: Up) -> None:
    worker, server = up.pid("worker"), up.pid("gunicorn")
    done = subprocess.run(
        ["bin/down"], cwd=ROOT, env=up.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert _gone(server) and _gone(worker), up.output.read_text()
    up.process.wait(timeout=90)
