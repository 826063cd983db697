"""A database that cannot be reached answers 503 "database unavailable", never a traceback.

Serving answers what it can from memory (similar songs, recommendations, the start page);
whatever needs the database (search, song pages, /model, the admin) gets the driver's
OperationalError or InterfaceError. Uncaught, that is a 500, or Django's debug page with the
stack trace when DEBUG is on. This middleware turns it into a 503 with Retry-After: the JSON
error under /api/, a page that needs neither the database nor a template context elsewhere.
The app needs no restart when the database returns: Django reconnects on the next request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from config.errors import error_response, is_api_path

logger = logging.getLogger(__name__)

# A database restart or fail-over usually takes seconds; clients should not hammer it meanwhile.
RETRY_AFTER_SECONDS = 30
MESSAGE = "The database cannot be reached right now; please retry in a moment."


class DatabaseUnavailableMiddleware:
    """Answers 503 when a view (or the template it returns) cannot reach the database.

    Only errors raised by views reach process_exception: a database error inside another
    middleware still ends in the 500 page (recommender.views.server_error).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # OperationalError also covers SQLite's "database is locked" after its busy timeout:
        # a temporary condition too, so the same answer fits.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "database unavailable for %s %s", request.method, request.path, exc_info=exception
        )
        headers = {"Cache-Control": "no-store", "Retry-After": str(RETRY_AFTER_SECONDS)}
        if is_api_path(request.path):
            return error_response(503, "database_unavailable", MESSAGE, headers=headers)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        for name, value in headers.items():
            response[name] = value
        return response
