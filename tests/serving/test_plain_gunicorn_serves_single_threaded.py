"""A plain `gunicorn config.wsgi`, started as a new user would (no -c config file, no
OMP_NUM_THREADS=1), answers from one thread: the app limits FAISS's OpenMP threads itself, and
the ranking's matrix products are too small for numpy's BLAS to hand work to its own threads.

OMP_NUM_THREADS=4 in the server's environment stands for a many-core machine: without the
app's own limit, FAISS's first parallel search starts an OpenMP pool of four threads. numpy's
OpenBLAS starts its helper threads (one per further core, up to that number) when numpy is
imported, before any request, so counting threads cannot show whether BLAS used them; their
CPU time can. On the real model too, the helpers did no work during /api/next, /api/radio and
/api/recommendations (issue 10's note), so serving does not limit BLAS. A product of the real
catalogue's size (70,000 x 64) on a request's path makes this test fail; the ranking's own
products, over a few hundred candidates, stay below the size where OpenBLAS uses its threads.
"""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.plain_gunicorn import Server, plain_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_plain_gunicorn_answers_every_list_with_one_thread(
    catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    with plain_gunicorn(log=tmp_path / "gunicorn.log", env={"OMP_NUM_THREADS": "4"}) as server:
        # /healthz (waited for above) loaded the model but ranked nothing: OpenMP starts its
        # pool lazily, at the first parallel search. Threads present now (the main one,
        # OpenBLAS's helpers) are not FAISS's.
        (worker,) = psutil.Process(server.process.pid).children()
        before = _helper_cpu_seconds(worker)
        _rank_every_way(server, catalogue)
        after = _helper_cpu_seconds(worker)
        assert after.keys() == before.keys(), "FAISS started OpenMP threads"
        busy = {tid: after[tid] - before[tid] for tid in after if after[tid] > before[tid]}
        assert not busy, f"threads other than the request's did work (BLAS): {busy}"


def _helper_cpu_seconds(worker: psutil.Process) -> dict[int, float]:
    """CPU seconds of each thread but the worker's main one (which answers the requests)."""
    return {
        thread.id: thread.user_time + thread.system_time
        for thread in worker.threads()
        if thread.id != worker.pid
    }


def _rank_every_way(server: Server, catalogue: Catalogue) -> None:
    """Every endpoint that ranks: similar, recommendations, next and a radio station."""
    seeds = [catalogue.id("Billie Jean"), catalogue.id("Jolene"), catalogue.id("One")]
    for seed in seeds:
        assert server.request("GET", f"/api/songs/{seed}/similar?k=5")[0] == 200
    posts = {
        "/api/recommendations": {"seeds": seeds, "k": 5},
        "/api/next": {"history": seeds, "k": 5},
        "/api/radio": {"seeds": seeds[:1], "length": 20},
    }
    for path, body in posts.items():
        status, answer = server.request("POST", path, body=json.dumps(body).encode())
        assert status == 200, (path, answer)
