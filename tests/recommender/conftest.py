"""A real Celery worker for the recommender tests, and where this session's messages go.

The worker is a subprocess (`celery -A config worker`) talking to the real Redis (TEST_REDIS_URL,
default db 15) on a queue of its own, reading and writing the test database that pytest-django
created, and the same temporary artifacts folder as the test process. Tests that use it are
marked `@pytest.mark.worker` and `@pytest.mark.django_db(transaction=True)` (the worker only
sees committed rows).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.database_url import database_url_for_subprocess
from tests.recommender.helpers import Worker, worker_start, worker_stop


def celery_point_at(*, broker_url: str, queue: str) -> None:
    """Make this process publish to the test broker and queue (settings were read already)."""
    from kombu import pools

    from config.celery import app

    app.conf.broker_url = broker_url
    app.conf.task_default_queue = queue
    # Drop what Celery caches on first publish, in case another test published before.
    for cached in ("queues", "default_queue"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp._producer_pool = None
    app._pool = None
    # kombu keeps its pools in process-wide registries keyed by broker URL: closing only the
    # app's pool would leave a closed one there for the next publish to that URL to pick up
    # ("Acquire on closed pool").
    pools.reset()


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One artifacts folder per test session, shared by this process and the worker."""
    folder = tmp_path_factory.mktemp("artifacts")
    with override_settings(RECOMMENDER_ARTIFACTS_DIR=folder):
        yield folder


@dataclass(frozen=True)
class Broker:
    url: str
    queue: str


@pytest.fixture(scope="session", autouse=True)
def test_broker() -> Iterator[Broker]:
    """Every message this session publishes goes to the test Redis, on a queue of its own."""
    broker = Broker(
        url=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
        queue=f"songrec-test-{uuid.uuid4().hex[:10]}",
    )
    celery_point_at(broker_url=broker.url, queue=broker.queue)
    yield broker
    _purge(broker.url, broker.queue)


@pytest.fixture
def dead_broker(test_broker: Broker) -> Iterator[str]:
    """Publishing goes to a closed port for the test (then back to the test broker)."""
    url = "redis://127.0.0.1:1/0"
    celery_point_at(broker_url=url, queue=test_broker.queue)
    yield url
    celery_point_at(broker_url=test_broker.url, queue=test_broker.queue)


@pytest.fixture(scope="session")
def test_env(django_db_setup: None, artifacts_dir: Path, test_broker: Broker) -> dict[str, str]:
    """Environment for a subprocess (worker, manage.py) that must use this session's test
    database, artifacts folder, Redis and queue."""
    return {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": test_broker.url,
        "RECOMMENDER_CELERY_QUEUE": test_broker.queue,
        "RECOMMENDER_ARTIFACTS_DIR": str(artifacts_dir),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="session")
def celery_worker(
    test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """Start `celery -A config worker` on a queue of this session; stop it at the end."""
    try:
        worker = worker_start(env=test_env, log=tmp_path_factory.mktemp("worker") / "worker.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield worker
    finally:
        worker_stop(worker)


def _purge(broker_url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(broker_url, socket_connect_timeout=2)
    try:
        # The queue, its bindings, and the queues of extra workers named after it.
        doomed = list(client.scan_iter(match=f"*{queue}*"))
        if doomed:
            client.delete(*doomed)
    except redis.RedisError:
        pass  # nothing to clean when Redis is away
    finally:
        client.close()


@pytest.fixture
def worker(celery_worker: Worker, request: pytest.FixtureRequest) -> Iterator[Worker]:
    """The session's worker; a failing test prints the worker's log for this test."""
    start = len(celery_worker.log_text())
    yield celery_worker
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- Celery worker log during this test ---\n{celery_worker.log_text()[start:]}")
    assert celery_worker.process.poll() is None, "the Celery worker died during the test"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
