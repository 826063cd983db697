"""With the broker unreachable, creating a run fails fast and clearly; no run stays queued."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS, QueueUnavailable, model_version_create
from tests.recommender.helpers import REPO_ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_service_raises_and_records_the_run_as_failed(dead_broker):
    with pytest.raises(QueueUnavailable, match="queue unavailable"):
        model_version_create(params=Word2VecParams())

    version = ModelVersion.objects.get()
    assert version.status == ModelVersion.Status.FAILED
    assert version.error.startswith("queue unavailable:")
    assert not ModelVersion.objects.filter(status=ModelVersion.Status.QUEUED).exists()


def test_the_admin_shows_the_error_as_a_message(client, dead_broker):
    client.force_login(User.objects.create_superuser("boss", password="x"))
    defaults = Word2VecParams()
    data = {name: str(getattr(defaults, name)) for name in PARAM_FIELDS}
    data.update(sg="1" if defaults.sg else "0", activate_when_done="better")

    response = client.post(reverse("admin:recommender_modelversion_train"), data, follow=True)

    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any("queue unavailable" in message for message in shown), shown
    assert not ModelVersion.objects.filter(status=ModelVersion.Status.QUEUED).exists()


def test_the_command_exits_non_zero_with_the_reason(test_env):
    env = {**test_env, "REDIS_URL": "redis://127.0.0.1:1/0"}

    result = subprocess.run(
        [sys.executable, "manage.py", "train_model", "--wait"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "queue unavailable" in result.stderr
    assert "127.0.0.1:1" in result.stderr
    assert ModelVersion.objects.get().status == ModelVersion.Status.FAILED
