"""How every process logs: one line per record, readable by people or by a log collector.

Text (the default): `2026-12-02 15:40:01,123 INFO songrec.request GET /api/songs 200 1.8 ms`:
time, level, logger, message. `DJANGO_LOG_FORMAT=json`: one JSON object per line with the
same four fields, any structured extras (a request's method, path, status and duration) and
the traceback, so that a collector needs no parsing rules of its own.

The module is `logs`, not `logging`, so that it never shadows the standard library's.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FORMATS = ("text", "json")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                payload[name] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        # default=str: an extra that JSON cannot hold (a Path, a datetime) still logs.
        return json.dumps(payload, ensure_ascii=False, default=str)


def log_formatter(fmt: str) -> logging.Formatter:
    """The formatter for DJANGO_LOG_FORMAT; the worker uses it too (config/celery.py)."""
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """Django's LOGGING: everything to stderr in one format."""
    if fmt not in FORMATS:
        raise ValueError(f"DJANGO_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": log_formatter, "fmt": fmt}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # faiss reports at INFO which CPU build it tried to load, on every process start.
            "faiss": {"level": "WARNING"},
            # config/request_log.py logs every request once; Django's own logger would repeat
            # each 4xx/5xx as a second line.
            "django.request": {"level": "ERROR"},
        },
    }
