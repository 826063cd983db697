"""Gunicorn settings for serving recommendations: `gunicorn -c python:config.gunicorn`.

Command-line flags (--bind, --workers, ...) still override what is set here.
"""

from __future__ import annotations

import gc
import logging
import os
from typing import Any

from gunicorn.glogging import Logger

from config.logs import log_formatter

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


class AppFormatLogger(Logger):
    """Gunicorn's own records (start, workers booting, signals, errors) in the app's format:
    with DJANGO_LOG_FORMAT=json every line the server writes is one JSON object, as a log
    collector wants. (Gunicorn's logconfig_dict would do it too, but it also switches on
    gunicorn's access log, computed on every request; the app logs each request itself.)"""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        fmt = os.environ.get("DJANGO_LOG_FORMAT", "text").strip().lower()
        for handler in self.error_log.handlers:
            handler.setFormatter(log_formatter(fmt))


logger_class = AppFormatLogger
# Import the app and load the catalogue and the active version in the master, before it forks:
# the workers then share those pages instead of each building its own copy
# (bench/results/worker_memory.json). The cost: a code change needs a restart, not a HUP.
preload_app = True


def when_ready(server: Any) -> None:
    """In the master, once the app is imported and before any worker exists."""
    from recommender.serving import serving_warm

    try:
        serving_warm()
    except Exception:
        # The database may not be up yet: the site must start anyway, and each worker
        # loads the model itself (post_worker_init, or its first request).
        logging.getLogger(__name__).exception("the master could not load the model")
    # Objects that exist now are never collected: the collector would otherwise write to
    # every one of them in each worker, copying the pages the workers share.
    gc.freeze()


def post_worker_init(worker: Any) -> None:
    """Load the active model before the worker takes its first request.

    Already loaded by the master in most cases; this checks the active version again (a swap
    may have happened meanwhile) and loads it if the master could not.
    """
    from recommender.serving import serving_warm

    version_id = serving_warm()
    # One line per worker: what bench/serve_benchmark.py waits for before it measures.
    logging.getLogger(__name__).info("worker %s ready, model version %s", worker.pid, version_id)
