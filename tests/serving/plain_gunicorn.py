"""A plain `gunicorn config.wsgi` (no config file) serving the tests' database and models, as a
new user would start it; for what only a real HTTP server shows (threads, chunked bodies)."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tests.database_url import database_url_for_subprocess
from tests.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def request(
        self, method: str, path: str, *, body: bytes | Iterable[bytes] | None = None
    ) -> tuple[int, bytes]:
        """Status and body. A body given as an iterable of bytes is sent chunked."""
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            client.request(method, path, body=body, headers=headers)
            response = client.getresponse()
            return response.status, response.read()
        finally:
            client.close()

    def request_all_at_once(
        self, method: str, path: str, *, chunks: Iterable[bytes]
    ) -> tuple[int, bytes]:
        """Status and body of a chunked request written to the socket whole, before any answer.

        For a body the server refuses before reading it all: it may answer and close while a
        client that writes chunk by chunk is still writing, which resets that client's
        connection before it reads the answer. Written at once, the request is in the
        server's buffer first, and its answer is read before the reset.
        """
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(head + body + b"0\r\n\r\n")
            answer = b""
            with contextlib.suppress(ConnectionResetError):  # the reset after the answer
                while part := connection.recv(65536):
                    answer += part
        head_part, _, answer_body = answer.partition(b"\r\n\r\n")
        return int(head_part.split(b" ", 2)[1]), answer_body


@contextlib.contextmanager
def plain_gunicorn(
    *, log: Path, env: dict[str, str] | None = None, options: tuple[str, ...] = ("config.wsgi",)
) -> Iterator[Server]:
    """gunicorn with `options` (one sync worker unless they say otherwise) on a free port;
    returns once /healthz answers 200."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OMP_", "GUNICORN_"))},
        "DATABASE_URL": database_url_for_subprocess(),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "RECOMMENDER_API_RATE_LIMIT": "0",
        "RECOMMENDER_ARTIFACTS_DIR": str(settings.RECOMMENDER_ARTIFACTS_DIR),
        **(env or {}),
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", "1", *options]
    command += ["--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(port=port, process=process, log=log)
    try:
        _wait_until_serving(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        with contextlib.suppress(OSError):
            if server.request("GET", "/healthz")[0] == 200:
                return
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start; its log:\n{server.log.read_text()}")
        time.sleep(0.1)
