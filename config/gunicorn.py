"""Gunicorn settings for serving recommendations: `gunicorn -c python:config.gunicorn`.

Command-line flags (--bind, --workers, ...) still override what is set here.
"""

from __future__ import annotations

import os
from typing import Any

# FAISS's OpenMP threads are limited by the app itself when it loads a model
# (recommender/serving/state.py), so a plain `gunicorn config.wsgi` is as fast as this file;
# what this file adds is loading the model before the first request and the limits below.
wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Loading a version reads the whole catalogue and index: give a booting worker time for it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
keepalive = 5
# Gunicorn's own default (4094 bytes). Set here so that the limit the API's q cap is sized
# against (recommender/api_limits.py, MAX_QUERY_CHARS) is written down where it applies.
limit_request_line = 4094


def post_worker_init(worker: Any) -> None:
    """Load the active model before the worker takes its first request."""
    from recommender.serving import serving_warm

    serving_warm()
