"""The train form bounds every hyperparameter, and refuses runs the worker's limit can't fit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from recommender.forms import FLOAT_BOUNDS, INT_BOUNDS, training_seconds_estimate
from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS
from tests.recommender.helpers import train_form_data

pytestmark = pytest.mark.django_db

TRAIN = reverse("admin:recommender_modelversion_train")


@pytest.fixture
def boss(client):
    client.force_login(User.objects.create_superuser("boss", password="x"))


def test_every_number_field_is_bounded_on_both_sides() -> None:
    numbers = set(PARAM_FIELDS) - {"sg"}
    assert set(INT_BOUNDS) | set(FLOAT_BOUNDS) == numbers


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epochs", 0, "The epochs must be at least 1."),
        ("epochs", 101, "The epochs must be at most 100: more passes train slower"),
        ("window", 21, "The window must be at most 20"),
        ("vector_size", 513, "The vector size must be at most 512"),
        ("alpha", 5, "The learning rate must be at most 1"),
        ("sample", -0.1, "The down-sampling threshold must be at least 0."),
    ],
)
def test_a_value_out_of_bounds_is_refused_with_a_clear_message(
    client, boss, field: str, value: object, message: str
) -> None:
    response = client.post(TRAIN, train_form_data(**{field: value}))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message.split(":")[0] in response.content.decode()
    assert not ModelVersion.objects.exists()


def test_the_form_tells_each_range_before_anything_is_posted(client, boss) -> None:
    html = client.get(TRAIN).content.decode()

    assert "From 1 to 100." in html  # epochs
    assert "From 0 to 2,147,483,647." in html  # seed
    assert "From 0.0001 to 1." in html  # learning rate
    assert 'name="epochs" value="5" min="1" max="100"' in html


def test_each_bound_alone_fits_the_default_time_limit(settings) -> None:
    for name, (_, high, _) in INT_BOUNDS.items():
        changes: dict[str, Any] = {name: high}
        params = replace(Word2VecParams(), **changes)
        assert training_seconds_estimate(params) < settings.CELERY_TASK_SOFT_TIME_LIMIT, name


def test_a_combination_over_the_workers_time_limit_is_refused(client, boss) -> None:
    response = client.post(TRAIN, train_form_data(epochs=100, window=20))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "more than the worker's limit of 180 minutes" in errors
    assert "RECOMMENDER_TRAIN_SOFT_LIMIT" in errors
    assert not ModelVersion.objects.exists()


def test_the_limit_is_the_configured_one(
    client, boss, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 600
    refused = client.post(TRAIN, train_form_data(epochs=20))
    assert "limit of 10 minutes" in " ".join(refused.context["form"].non_field_errors())

    settings.CELERY_TASK_SOFT_TIME_LIMIT = 3 * 3600
    # Valid now: queued (the message would go out after commit; Redis stays out of it).
    with django_capture_on_commit_callbacks(execute=False):
        form = client.post(TRAIN, train_form_data(epochs=20))
    assert form.status_code == 302
    assert ModelVersion.objects.get().epochs == 20
