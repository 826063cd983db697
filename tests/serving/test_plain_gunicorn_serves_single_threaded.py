"""A plain `gunicorn config.wsgi`, started as a new user would (no -c config file, no
OMP_NUM_THREADS=1), answers from one thread: the app limits FAISS's OpenMP threads itself.

OMP_NUM_THREADS=4 in the server's environment stands for a many-core machine: without the
app's own limit, FAISS's first parallel search starts an OpenMP pool of four threads.
"""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.plain_gunicorn import plain_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_plain_gunicorn_searches_with_one_thread(
    catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    with plain_gunicorn(log=tmp_path / "gunicorn.log", env={"OMP_NUM_THREADS": "4"}) as server:
        # /healthz (waited for above) loaded the model but searched nothing: OpenMP starts its
        # pool lazily, at the first parallel search. Threads present now (the main one, a BLAS
        # helper) are not FAISS's.
        (worker,) = psutil.Process(server.process.pid).children()
        before = worker.num_threads()
        seeds = [catalogue.id("Billie Jean"), catalogue.id("Jolene"), catalogue.id("One")]
        for seed in seeds:
            assert server.request("GET", f"/api/songs/{seed}/similar?k=5")[0] == 200
        body = json.dumps({"seeds": seeds, "k": 5}).encode()
        assert server.request("POST", "/api/recommendations", body=body)[0] == 200
        assert worker.num_threads() == before, "FAISS started OpenMP threads"
