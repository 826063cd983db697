"""The real `bin/up` end to end, on a small data set of its own: install (already done, so pip
only checks), migrate, ingest, a real worker on a queue of this test, training, gunicorn."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.ports import free_port
from tests.yes_folder import write_yes_folder

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


@contextmanager
def bin_up(tmp_path: Path) -> Iterator[Up]:
    """`bin/up --source` in its own process group, as a terminal runs it; returns once the
    site answers. Stops whatever is left of it afterwards."""
    var = tmp_path / "var"
    port = free_port()
    # bin/up as a newcomer runs it: its own SQLite, and the log level it chooses itself.
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_LOG_LEVEL")},
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
