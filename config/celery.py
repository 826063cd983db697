"""The Celery app: Redis is the broker; tasks live in each app's tasks.py."""

import logging
import os
from typing import Any

from celery import Celery, signals
from django.conf import settings

from config.logs import log_formatter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("songrec")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _log_in_our_format(logger: logging.Logger, **kwargs: Any) -> None:
    # The worker sets up its own handlers (its --logfile, or stderr), replacing Django's
    # LOGGING; keep them, but write the same lines as the web processes.
    formatter = log_formatter(settings.LOGGING["formatters"]["default"]["fmt"])
    for handler in logger.handlers:
        handler.setFormatter(formatter)
