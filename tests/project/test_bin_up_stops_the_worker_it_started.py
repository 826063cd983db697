"""`bin/up` stops the Celery worker it started when it stops, by Ctrl-C or by `bin/down`.

The real script end to end, on a small data set of its own: install (already done, so pip
only checks), migrate, ingest, a real worker on a queue of this test, training, gunicorn.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.ports import free_port
from tests.yes_folder import write_yes_folder

pytestmark = [pytest.mark.worker, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
UP_SECONDS = 420


@dataclass(frozen=True)
class Up:
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    var: Path
    output: Path

    def pid(self, name: str) -> int:
        return int((self.var / "run" / f"{name}.pid").read_text())


def _songs_folder(folder: Path) -> Path:
    songs = [(f"Song {n}", f"Artist {n % 5}") for n in range(30)]
    playlists = [[(start + step) % 30 for step in range(8)] for start in range(30)] * 3
    return write_yes_folder(folder, songs=songs, playlists=playlists)


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    var = tmp_path / "var"
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "RECOMMENDER_VAR_DIR": str(var),
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "RECOMMENDER_CELERY_QUEUE": f"test-up-{uuid.uuid4().hex[:8]}",
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
    }
    output = tmp_path / "up.log"
    source = _songs_folder(tmp_path / "yes_small")
    with output.open("wb") as log:
        process = subprocess.Popen(
            ["bin/up", "--source", str(source)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal would give it
        )
    started = Up(process=process, env=env, var=var, output=output)
    try:
        _wait_for_site(started, port)
        yield started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        subprocess.run(["bin/down"], cwd=ROOT, env=env, check=False, capture_output=True)


def _wait_for_site(up: Up, port: int) -> None:
    deadline = time.monotonic() + UP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if up.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"bin/up did not serve; its output:\n{up.output.read_text()}")
        time.sleep(0.5)


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
