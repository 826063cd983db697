"""A plain `gunicorn config.wsgi`, started as a new user would (no -c config file, no
OMP_NUM_THREADS), answers from one thread: the app limits FAISS's OpenMP threads itself.

OMP_NUM_THREADS=4 in the server's environment stands for a many-core machine: without the
app's own limit, FAISS's first parallel search would start an OpenMP pool of four threads.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from recommender.models import ModelVersion
from tests.database_url import database_url_for_subprocess
from tests.ports import free_port
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db(transaction=True)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _get(port: int, path: str, body: object = None) -> int:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if body is None:
            client.request("GET", path)
        else:
            headers = {"Content-Type": "application/json"}
            client.request("POST", path, body=json.dumps(body), headers=headers)
        response = client.getresponse()
        response.read()
        return response.status
    finally:
        client.close()


def _wait_until_serving(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(port, "/healthz") == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start; its log:\n{log.read_text()}")
        time.sleep(0.1)


def test_plain_gunicorn_searches_with_one_thread(
    catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GUNICORN_"))},
        "OMP_NUM_THREADS": "4",
        "DATABASE_URL": database_url_for_subprocess(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "RECOMMENDER_API_RATE_LIMIT": "0",
        "RECOMMENDER_ARTIFACTS_DIR": str(settings.RECOMMENDER_ARTIFACTS_DIR),
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1"]
    command += ["--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        # /healthz loads the model, but searches nothing: OpenMP starts its pool lazily, at
        # the first parallel search. Threads present now (the main one, a BLAS helper) are
        # not FAISS's.
        _wait_until_serving(port, server, log)
        (worker,) = psutil.Process(server.pid).children()
        before = worker.num_threads()
        seeds = [catalogue.id("Billie Jean"), catalogue.id("Jolene"), catalogue.id("One")]
        for seed in seeds:
            assert _get(port, f"/api/songs/{seed}/similar?k=5") == 200
        assert _get(port, "/api/recommendations", {"seeds": seeds, "k": 5}) == 200
        assert worker.num_threads() == before, "FAISS started OpenMP threads"
    finally:
        server.terminate()
        server.wait(timeout=20)
