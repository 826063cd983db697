"""One log line per request: method, path, status and duration (logger `songrec.request`).

Gunicorn's access log knows the status too, but not under runserver or another host, and not
in the app's format; this line is the same wherever config.wsgi runs. The fields are also
record attributes, so DJANGO_LOG_FORMAT=json puts them in their own keys.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("songrec.request")


class RequestLogMiddleware:
    """Logs each answered request: INFO, or ERROR for a 5xx."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        status = response.status_code
        logger.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
            },
        )
        return response
