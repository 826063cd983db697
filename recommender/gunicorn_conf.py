"""Gunicorn settings for serving recommendations: `gunicorn -c python:recommender.gunicorn_conf`.

Command-line flags (--bind, --workers, ...) still override what is set here.
"""

from __future__ import annotations

import os
from typing import Any

# FAISS parallelises with OpenMP. A web worker answers one small query at a time; letting each
# query spin up threads on a 2-core machine shared by several workers multiplies the latency
# tail (p99 ~40 ms instead of ~5 ms in bench/serve_benchmark.py). Must be set before faiss loads.
os.environ.setdefault("OMP_NUM_THREADS", "1")

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Loading a version reads the whole catalogue and index: give a booting worker time for it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
keepalive = 5


def post_worker_init(worker: Any) -> None:
    """Load the active model before the worker takes its first request."""
    from recommender.serving import serving_warm

    serving_warm()
