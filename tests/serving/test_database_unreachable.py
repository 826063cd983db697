"""The database goes away under a running app: 503s with a human page or a JSON error, never
a stack trace, answers from memory where the model suffices, and 200s again once it returns,
without restarting anything.

The app runs as it does in production (gunicorn, one worker, persistent connections) and loses
its database for real: on PostgreSQL its DATABASE_URL goes through a TCP proxy that the test
cuts (listener closed, open connections reset) and restores; on SQLite it reaches the file
through a folder link that the test renames away and back, like an unmounted volume.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from tests.database_url import database_url_for_subprocess
from tests.ports import free_port
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db(transaction=True)

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_START_SECONDS = 60


class Outage(Protocol):
    database_url: str

    def cut(self) -> None: ...

    def restore(self) -> None: ...


class TcpProxy:
    """Forwards 127.0.0.1:port to the real PostgreSQL until cut: then nothing listens there
    and every forwarded connection is closed at both ends, as when the server goes down."""

    def __init__(self, *, port: int, target: tuple[str, int], database_url: str) -> None:
        self.port = port
        self.target = target
        # The same database, user and password, reached through the proxy.
        parts = urlsplit(database_url)
        auth = parts.netloc.rpartition("@")[0]
        proxied = f"{auth}@127.0.0.1:{port}" if auth else f"127.0.0.1:{port}"
        self.database_url = urlunsplit(parts._replace(netloc=proxied))
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._pumps: list[threading.Thread] = []
        self._accepting: tuple[threading.Thread, threading.Event] | None = None

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        stop = threading.Event()
        thread = threading.Thread(target=self._accept, args=(listener, stop), daemon=True)
        thread.start()
        self._accepting = (thread, stop)

    def cut(self) -> None:
        assert self._accepting is not None
        thread, stop = self._accepting
        stop.set()
        thread.join()  # the listener is closed once accept() has returned
        self._accepting = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
            pumps, self._pumps = self._pumps, []
        # shutdown() wakes the pumps blocked in recv() (close() alone would not, and would
        # leave the server's side open); the sockets are closed once no thread uses them.
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for pump in pumps:
            pump.join()
        for sock in sockets:
            sock.close()

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        listener.settimeout(0.05)
        with listener:
            while not stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.target)
                pumps = [
                    threading.Thread(target=self._pump, args=pair, daemon=True)
                    for pair in ((client, upstream), (upstream, client))
                ]
                with self._lock:
                    self._sockets += [client, upstream]
                    self._pumps += pumps
                for pump in pumps:
                    pump.start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # cut
        finally:
            # One side closed: close the other too, as a direct connection would.
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


@dataclass
class FolderLink:
    """The SQLite file seen through a link to its folder; renaming the link away makes the
    file unreachable (opening it fails) without touching the file itself."""

    link: Path
    away: Path
    database_url: str

    def cut(self) -> None:
        self.link.rename(self.away)

    def restore(self) -> None:
        self.away.rename(self.link)


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[Outage]:
    """A way to the test database that the test can cut and restore."""
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        target = (params.get("HOST") or "127.0.0.1", int(params.get("PORT") or 5432))
        proxy = TcpProxy(
            port=free_port(), target=target, database_url=database_url_for_subprocess()
        )
        proxy.restore()
        yield proxy
        proxy.cut()
        return
    database = Path(connection.settings_dict["NAME"])
    link = tmp_path / "database"
    link.symlink_to(database.parent, target_is_directory=True)
    folder = FolderLink(
        link=link, away=tmp_path / "unmounted", database_url=f"sqlite:///{link / database.name}"
    )
    yield folder
    if folder.away.exists():
        folder.restore()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> dict[str, Any]:
        assert self.headers["content-type"] == "application/json", self.headers
        return json.loads(self.text)


@dataclass(frozen=True)
class App:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, *, cookie: str = "") -> Answer:
        return self.request("GET", path, headers={"Cookie": cookie} if cookie else {})

    def request(
        self, method: str, path: str, *, body: object = None, headers: dict[str, str] | None = None
    ) -> Answer:
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = None if body is None else json.dumps(body)
            sent = {**(headers or {}), **({"Content-Type": "application/json"} if body else {})}
            client.request(method, path, body=payload, headers=sent)
            response = client.getresponse()
            return Answer(
                status=response.status,
                headers={name.lower(): value for name, value in response.getheaders()},
                text=response.read().decode(),
            )
        finally:
            client.close()


@pytest.fixture
def app(outage: Outage, active_version, tmp_path: Path) -> Iterator[App]:
    """gunicorn serving the active version, with its database reached through `outage`."""
    port = free_port()  # the proxy, if any, listens already: its port is not free
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": outage.database_url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        # With DEBUG on, an unhandled database error would be Django's debug page with the
        # whole stack trace: the strictest setting for "never a traceback".
        "DJANGO_DEBUG": "1",
        "RECOMMENDER_API_RATE_LIMIT": "0",
        "RECOMMENDER_ARTIFACTS_DIR": str(settings.RECOMMENDER_ARTIFACTS_DIR),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    app = App(port=port, process=process, log=log)
    try:
        _wait_until_serving(app)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_serving(app: App) -> None:
    deadline = time.monotonic() + APP_START_SECONDS
    while True:
        try:
            if app.get("/healthz").status == 200:
                return
        except OSError:
            pass
        if app.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the app did not start; its log:\n{app.log.read_text()}")
        time.sleep(0.1)


def _admin_cookie() -> str:
    """A logged-in staff session, stored in the test database the app reads."""
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="x"))
    return f"sessionid={client.cookies['sessionid'].value}"


def _assert_unavailable_page(answer: Answer) -> None:
    assert answer.status == 503, answer
    assert answer.headers["content-type"].startswith("text/html")
    assert int(answer.headers["retry-after"]) > 0
    assert "can't reach our song catalogue" in answer.text
    for leak in ("Traceback", "OperationalError", "InterfaceError", "psycopg", "sqlite"):
        assert leak not in answer.text, leak


def _assert_unavailable_json(answer: Answer) -> None:
    assert answer.status == 503, answer
    assert int(answer.headers["retry-after"]) > 0
    error = answer.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "Traceback" not in answer.text and "Error" not in error["message"]


def test_a_database_outage_answers_503_and_the_app_recovers_without_a_restart(
    app: App, outage: Outage, catalogue: Catalogue, active_version
):
    song = catalogue.id("Billie Jean")
    cookie = _admin_cookie()
    seeds = {"seeds": [song, catalogue.id("Jolene")], "k": 5}
    assert app.get(f"/songs/{song}").status == 200
    assert app.get("/admin/", cookie=cookie).status == 200

    # A blip between two requests: the connection the app kept is dead, the next one works.
    outage.cut()
    outage.restore()
    assert app.get("/api/songs?q=billie").status == 200

    outage.cut()

    health = app.get("/healthz")
    assert health.status == 503
    assert health.json()["database"].startswith("error")
    assert health.json()["error"]["code"] == "database_unavailable"
    for page in (f"/songs/{song}", "/model"):
        _assert_unavailable_page(app.get(page))
    _assert_unavailable_page(app.get("/admin/", cookie=cookie))
    _assert_unavailable_json(app.get("/api/songs?q=billie"))
    _assert_unavailable_json(app.get(f"/api/songs/{song}"))
    _assert_unavailable_json(app.get("/api/models/active"))
    # The loaded model and its catalogue are in memory: these need no database.
    similar = app.get(f"/api/songs/{song}/similar?k=5")
    assert similar.status == 200, similar
    assert similar.json()["model_version"] == active_version.id
    assert app.request("POST", "/api/recommendations", body=seeds).status == 200
    for page in ("/", "/map"):
        assert app.get(page).status == 200, page

    outage.restore()

    assert app.get("/healthz").json()["status"] == "ok"
    assert app.get("/api/songs?q=billie").json()["total"] >= 1
    assert "Billie Jean" in app.get(f"/songs/{song}").text
    for page in ("/model", "/"):
        assert app.get(page).status == 200, page
    assert app.get("/admin/", cookie=cookie).status == 200
    assert app.process.poll() is None
    assert "database unavailable for GET /api/songs" in app.log.read_text()
