"""A real HTTP server on loopback standing in for the data set's public address.

It serves a folder like a static file host does: 404 for missing files, Last-Modified (and
304 for an If-Modified-Since naming the current version), Range requests answered with 206
(unless If-Range names another version), and, on demand, a file cut short (the announced
Content-Length is the full size but the connection closes halfway), which is what a dropped
download looks like.

Other servers' habits, on demand: ETag validators (with If-None-Match and If-Range on them)
instead of Last-Modified; Range ignored (200 and the whole file); If-Range ignored (the rest
of whatever the file is now); no Content-Length (the body simply ends when the connection
closes, so a cut one looks complete).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class FileHost:
    folder: Path
    truncate: set[str] = field(default_factory=set)  # file names sent only half
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range)
    statuses: list[tuple[str, int]] = field(default_factory=list)  # (file name, status)
    base_url: str = ""
    etag: bool = False  # validators are ETags (a hash of the bytes), not Last-Modified
    ignore_range: bool = False
    ignore_if_range: bool = False
    no_length: set[str] = field(default_factory=set)  # files sent without Content-Length


@contextmanager
def serve_folder(
    folder: Path,
    *,
    truncate: set[str] | None = None,
    etag: bool = False,
    ignore_range: bool = False,
    ignore_if_range: bool = False,
    no_length: set[str] | None = None,
) -> Iterator[FileHost]:
    host = FileHost(
        folder=folder,
        truncate=set(truncate or ()),
        etag=etag,
        ignore_range=ignore_range,
        ignore_if_range=ignore_if_range,
        no_length=set(no_length or ()),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host.requests.append((self.path, self.headers.get("Range")))
            path = host.folder / self.path.rsplit("/", 1)[-1]
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            start = 0
            if host.etag:
                version = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                not_modified = self.headers.get("If-None-Match") == version
            else:
                version = formatdate(path.stat().st_mtime, usegmt=True)
                not_modified = self.headers.get("If-Modified-Since") == version
            match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
            if_range = None if host.ignore_if_range else self.headers.get("If-Range")
            if not_modified:
                host.statuses.append((path.name, 304))
                self.send_response(304)
                self.end_headers()
                return
            if match and not host.ignore_range and (if_range is None or if_range == version):
                start = int(match.group(1))
                host.statuses.append((path.name, 206))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                host.statuses.append((path.name, 200))
                self.send_response(200)
            body = data[start:]
            self.send_header("ETag" if host.etag else "Last-Modified", version)
            if path.name in host.no_length:
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if path.name in host.truncate:
                body = body[: len(body) // 2]
                self.close_connection = True
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host.base_url = f"http://127.0.0.1:{server.server_address[1]}/dataset/{folder.name}/"
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
