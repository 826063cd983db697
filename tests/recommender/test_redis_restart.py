"""Redis goes away and comes back: serving never notices, training is refused clearly while it
is gone and works again once it returns, with no process restarted.

Redis here is a private redis-server on a port of its own (never the shared one): the test
kills it (SIGKILL, like a crash) and starts it again on the same port, empty.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from recommender import serving
from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS, QueueUnavailable, model_version_create
from tests.ports import free_port
from tests.recommender.conftest import Broker, celery_point_at
from tests.recommender.helpers import (
    Worker,
    catalogue_create,
    finished,
    wait_for,
    worker_start,
    worker_stop,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PARAMS = replace(
    Word2VecParams(), vector_size=16, window=3, epochs=5, negative=5, sample=0.0, seed=3
)


@dataclass
class PrivateRedis:
    """A redis-server subprocess that keeps nothing on disk: a restart comes back empty."""

    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                *("--dir", str(self.folder)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 10
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def _answers(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@dataclass(frozen=True)
class Setup:
    redis: PrivateRedis
    worker: Worker


@pytest.fixture(scope="module")
def setup(
    test_env: dict[str, str], test_broker: Broker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    """A private Redis, a worker consuming from it, and this process publishing to it."""
    folder = tmp_path_factory.mktemp("redis-restart")
    server = PrivateRedis(port=free_port(), folder=folder)
    server.start()
    queue = f"{test_env['RECOMMENDER_CELERY_QUEUE']}-redis-restart"
    env = {**test_env, "REDIS_URL": server.url, "RECOMMENDER_CELERY_QUEUE": queue}
    try:
        worker = worker_start(env=env, log=folder / "worker.log")
    except BaseException:
        server.kill()
        raise
    celery_point_at(broker_url=server.url, queue=queue)
    try:
        yield Setup(redis=server, worker=worker)
    finally:
        celery_point_at(broker_url=test_broker.url, queue=test_broker.queue)
        worker_stop(worker)
        server.kill()


@pytest.fixture
def up(setup: Setup, request: pytest.FixtureRequest, settings) -> Iterator[Setup]:
    """Redis running when the test starts; the worker's log printed when the test fails."""
    if not setup.redis.running:
        setup.redis.start()
    # The active version is looked up on every request, from a cold serving state.
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0
    serving.serving_reset()
    catalogue_create()
    start = len(setup.worker.log_text())
    yield setup
    serving.serving_reset()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- Celery worker log during this test ---\n{setup.worker.log_text()[start:]}")
    assert setup.worker.process.poll() is None, "the Celery worker died during the test"


def _trained(version: ModelVersion, worker: Worker) -> ModelVersion:
    """The run once finished (or as it was when the worker died, to fail fast)."""
    done = wait_for(version.pk, lambda row: finished(row) or worker.process.poll() is not None)
    assert done.status == ModelVersion.Status.SUCCEEDED, (done.status, done.error)
    return done


def _train_form(client: Client) -> list[str]:
    data = {name: str(getattr(PARAMS, name)) for name in PARAM_FIELDS}
    data.update(sg="1" if PARAMS.sg else "0", activate_when_done="never")
    response = client.post(reverse("admin:recommender_modelversion_train"), data, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def _serving_answers(client: Client) -> None:
    found = client.get("/api/songs", {"q": "song 1"})
    assert found.status_code == 200, found.content
    assert found.json()["total"] > 0
    similar = client.get("/api/songs/1/similar", {"k": 5})
    assert similar.status_code == 200, similar.content
    assert similar.json()["source"] == "model"
    recommended = client.post(
        "/api/recommendations", {"seeds": [1, 2], "k": 5}, content_type="application/json"
    )
    assert recommended.status_code == 200, recommended.content
    assert client.get("/songs/1").status_code == 200


def test_after_a_redis_restart_the_first_request_is_trained_by_the_same_worker(up):
    # This process and the worker hold connections to the Redis that is about to restart.
    created = model_version_create(params=PARAMS, activate_when_done="never")
    before = _trained(created, up.worker)

    up.redis.kill()
    up.redis.start()
    after = model_version_create(params=PARAMS, activate_when_done="never")

    # host:pid of the pool process that trained it: the worker was never restarted.
    assert _trained(after, up.worker).worker == before.worker


def test_while_redis_is_down_serving_answers_and_training_is_refused_until_it_returns(up):
    site = Client()
    admin = Client()
    admin.force_login(User.objects.create_superuser("boss", password="x"))
    created = model_version_create(params=PARAMS, activate_when_done="always")
    before = _trained(created, up.worker)
    _serving_answers(site)

    up.redis.kill()

    _serving_answers(site)
    with pytest.raises(QueueUnavailable, match="queue unavailable"):
        model_version_create(params=PARAMS)
    refused = ModelVersion.objects.latest("pk")
    assert refused.status == ModelVersion.Status.FAILED
    assert refused.error.startswith("queue unavailable:")
    assert any("queue unavailable" in message for message in _train_form(admin))
    assert not ModelVersion.objects.filter(status=ModelVersion.Status.QUEUED).exists()

    up.redis.start()

    shown = _train_form(admin)
    assert any("is queued for training" in message for message in shown), shown
    assert _trained(ModelVersion.objects.latest("pk"), up.worker).worker == before.worker
