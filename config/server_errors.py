"""Requests the HTTP server refuses before the app sees them answer with the one JSON error body.

Gunicorn parses the request line and headers itself and answers what it cannot parse (a
request line past `limit_request_line`, too many headers, a malformed line) with a small HTML
page of its own, so a program calling the API with a very long query got HTML where every
other error is `{"error": {"code", "message"}}` (config/errors.py). Gunicorn has no setting
for that page: its workers write it through `gunicorn.util.write_error`, which
`answer_server_errors_as_json` replaces in the process that serves the app. It is called from
config/wsgi.py, so a plain `gunicorn config.wsgi` gets it as well as `-c python:config.gunicorn`.
At that stage the path may not even have been read, so the answer is JSON for every path.
"""

from __future__ import annotations

import socket
from typing import Any

from config.errors import error_body, json_bytes

# gunicorn's status for each refusal, as the code a program can test.
_CODES = {
    400: "bad_request",
    403: "forbidden",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
}


def server_error_response(status: int, reason: str, message: str) -> bytes:
    """The raw HTTP/1.1 answer: the JSON error body, closing the connection like gunicorn's."""
    code = _CODES.get(status, "bad_request")
    if "line is too large" in message.lower():
        code = "request_line_too_long"
    text = message or reason
    body = json_bytes({"error": error_body(code, f"{reason}: {text}" if message else text)})
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def answer_server_errors_as_json() -> None:
    """Make this process's gunicorn workers write refusals as JSON (no-op without gunicorn)."""
    try:
        from gunicorn import util
    except ImportError:  # served by something else: nothing to replace
        return

    def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> Any:
        return util.write_nonblock(sock, server_error_response(status_int, reason, mesg))

    util.write_error = write_error
