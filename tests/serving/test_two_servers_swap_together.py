"""Two gunicorn servers, each with its own run-time folder, sharing only the database and the
artifacts folder, form one deployment: they serve the same version, and when another version is
activated both swap to it within about a second, with no failed request meanwhile.

Every answer given during the swap must be exactly the answer its version gives (recorded from
both servers before and after the swap), so an answer that mixed the two versions would fail.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from recommender import training
from recommender.models import ModelVersion
from recommender.serving.state import ACTIVE_CHECK_SECONDS
from tests.serving.catalogue import Catalogue
from tests.serving.conftest import TrainVersion
from tests.serving.plain_gunicorn import Server, plain_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

SERVERS = 2
CLIENTS_PER_SERVER = 2
# Answers each server gives under load before the activation, and after the swap is due.
ANSWERS_EACH_SIDE = 30
# A check that asked the database just before the activation committed records its time a
# moment later (longer when a busy machine pauses the process in between): allowed on top of
# the check interval before every answer must name the new version.
CHECK_SLACK_SECONDS = 1.0
WAIT_SECONDS = 30

Request = tuple[str, str, bytes | None]


@dataclass(frozen=True)
class Answer:
    server: int
    request: int
    sent_at: float
    version: int | None
    body: object
    error: str


def _requests(catalogue: Catalogue) -> list[Request]:
    """similar, recommendations and next, each for two different inputs."""

    def post(path: str, body: dict[str, object]) -> Request:
        return ("POST", path, json.dumps(body).encode())

    ids = catalogue.id
    return [
        ("GET", f"/api/songs/{ids('Billie Jean')}/similar?k=5", None),
        ("GET", f"/api/songs/{ids('Jolene')}/similar?k=8", None),
        post("/api/recommendations", {"seeds": [ids("Halo"), ids("Juicy")], "k": 6}),
        post("/api/recommendations", {"seeds": [ids("One")], "k": 10}),
        post("/api/next", {"history": [ids("Thriller"), ids("Beat It"), ids("Halo")], "k": 5}),
        post("/api/next", {"history": [ids("Regulate")], "k": 7}),
    ]


def _ask(server: Server, number: int, index: int, request: Request) -> Answer:
    """One request; anything but a 200 with a JSON object naming a version is an error."""
    sent_at = time.monotonic()
    method, path, body = request
    try:
        status, raw = server.request(method, path, body=body)
        parsed = json.loads(raw)
    except (OSError, ValueError) as exc:
        return Answer(number, index, sent_at, None, None, f"{type(exc).__name__}: {exc}")
    version = parsed.get("model_version") if isinstance(parsed, dict) else None
    error = "" if status == 200 and isinstance(version, int) else f"{status}: {raw[:200]!r}"
    return Answer(number, index, sent_at, version, parsed, error)


def _answers_of_one_version(
    servers: list[Server], requests: list[Request], version: ModelVersion
) -> list[object]:
    """Each request's answer, the same from every server, all from `version`."""
    expected: list[object] = []
    for index, request in enumerate(requests):
        answers = [_ask(server, n, index, request) for n, server in enumerate(servers)]
        assert [a.error for a in answers] == [""] * len(servers), answers
        assert [a.version for a in answers] == [version.id] * len(servers), answers
        assert all(a.body == answers[0].body for a in answers), f"servers differ: {answers}"
        expected.append(answers[0].body)
    return expected


def _unnamed(body: object) -> object:
    """An answer without its model_version field."""
    assert isinstance(body, dict)
    return {key: value for key, value in body.items() if key != "model_version"}


class _Load:
    """Client threads asking every server round the requests until `running()` ends."""

    def __init__(self, servers: list[Server], requests: list[Request], into: list[Answer]) -> None:
        self.servers, self.requests, self.answers = servers, requests, into
        self.stop = threading.Event()

    def _client(self, number: int, offset: int) -> None:
        index = offset
        while not self.stop.is_set():
            request = index % len(self.requests)
            self.answers.append(_ask(self.servers[number], number, request, self.requests[request]))
            index += 1

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        threads = [
            threading.Thread(target=self._client, args=(number, offset))
            for number in range(len(self.servers))
            for offset in range(CLIENTS_PER_SERVER)
        ]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            self.stop.set()
            for thread in threads:
                thread.join()


def _wait_for(answers: list[Answer], enough: Callable[[list[Answer]], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not enough(list(answers)):
        assert time.monotonic() < deadline, f"{what} within {WAIT_SECONDS}s"
        time.sleep(0.05)


def test_two_servers_swap_together_with_no_failed_request(
    catalogue: Catalogue,
    train_version: TrainVersion,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = train_version(seed=1)
    second = train_version(seed=2, activate=False)
    requests = _requests(catalogue)
    options = ("-c", "python:config.gunicorn", "--workers", "2")
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(
                plain_gunicorn(
                    log=tmp_path / f"web{n}.log",
                    # Its own run-time folder; the database and artifacts folder are the tests'.
                    env={"RECOMMENDER_VAR_DIR": str(tmp_path / f"var-web{n}")},
                    options=options,
                )
            )
            for n in range(SERVERS)
        ]
        before = _answers_of_one_version(servers, requests, first)
        answers: list[Answer] = []
        with _Load(servers, requests, answers).running():
            _wait_for(
                answers,
                lambda seen: all(
                    sum(a.server == n for a in seen) >= ANSWERS_EACH_SIDE for n in range(SERVERS)
                ),
                "answers from both servers before the activation",
            )
            training.model_version_activate(version_id=second.id)
            activated_at = time.monotonic()
            due = activated_at + ACTIVE_CHECK_SECONDS + CHECK_SLACK_SECONDS
            _wait_for(
                answers,
                lambda seen: all(
                    sum(a.server == n and a.sent_at > due for a in seen) >= ANSWERS_EACH_SIDE
                    for n in range(SERVERS)
                ),
                "answers from both servers after the swap was due",
            )
        after = _answers_of_one_version(servers, requests, second)

    expected = {first.id: before, second.id: after}
    # Apart from the version's id, each request's answers differ: an answer naming one version
    # with the other's songs or scores could not pass for either.
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        assert _unnamed(old) != _unnamed(new), f"both versions answer {requests[index]} alike"
    assert all((tmp_path / f"var-web{n}").is_dir() for n in range(SERVERS))
    # A version other than the two, or an answer that is not its version's exact answer.
    failed = [
        a
        for a in answers
        if a.error or a.version not in expected or a.body != expected[a.version][a.request]
    ]
    late = [a for a in answers if a.sent_at > due and a.version != second.id]
    last_old = [
        max((a.sent_at for a in answers if a.server == n and a.version == first.id), default=0)
        for n in range(SERVERS)
    ]
    summary = (
        f"two-server swap: {len(answers)} requests under load "
        f"({', '.join(str(sum(a.server == n for a in answers)) for n in range(SERVERS))} "
        f"per server), {sum(a.version == first.id for a in answers)} answered by version "
        f"{first.id}, {sum(a.version == second.id for a in answers)} by version {second.id}, "
        f"{len(failed)} failed; last answer from the old version sent "
        + ", ".join(f"{t - activated_at:+.2f}s" for t in last_old)
        + " after the activation"
    )
    with capsys.disabled():  # the figures the closing note quotes, also without -s
        print(f"\n{summary}")
    assert failed == [], failed[:5]
    assert late == [], late[:5]
    for n in range(SERVERS):
        seen = {a.version for a in answers if a.server == n}
        assert seen == {first.id, second.id}, f"server {n} answered {seen} under load"
