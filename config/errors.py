"""The one JSON error body, `{"error": {"code", "message"}}`, and the paths that answer with it.

The API's views, the rate limiter, the database-down middleware and the site's 400/404/500
handlers all answer through error_response, so an error looks the same whoever sends it;
recommender/api/schemas.py documents the body (ErrorOut).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import orjson
from django.http import HttpResponse

# Everything under this prefix is the JSON API: its errors are JSON, never an HTML page.
API_PREFIX = "/api/"
# The health check is for programs too, so its errors are JSON as well.
HEALTH_PATH = "/healthz"


def is_api_path(path: str) -> bool:
    """True for the paths whose errors are JSON: the API and the health check."""
    return path.startswith(API_PREFIX) or path == HEALTH_PATH


def error_body(code: str, message: str) -> dict[str, str]:
    """The inner object, also what /healthz puts under "error" next to its status."""
    return {"code": code, "message": message}


class RawJson:
    """Bytes that already are JSON (a song the catalogue encoded once): written as they are."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


def _fragment(value: object) -> orjson.Fragment:
    if isinstance(value, RawJson):
        return orjson.Fragment(value.data)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _decoded(value: object) -> object:
    if isinstance(value, RawJson):
        return json.loads(value.data)
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_bytes(payload: object) -> bytes:
    """Compact UTF-8 JSON, by orjson (the API's renderer too); RawJson inside is copied as is."""
    try:
        return orjson.dumps(payload, default=_fragment)
    except TypeError:
        # orjson stops at 64-bit integers; an unknown seed id a client sent may be larger.
        return json.dumps(
            payload, ensure_ascii=False, separators=(",", ":"), default=_decoded
        ).encode()


def json_response(payload: object, *, status: int = 200) -> HttpResponse:
    """Compact UTF-8 JSON; never cached, since answers change when another version is active."""
    body = json_bytes(payload)
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def error_response(
    status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """The error body with its status and headers (e.g. Allow on 405, Retry-After on 429)."""
    response = json_response({"error": error_body(code, message)}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
