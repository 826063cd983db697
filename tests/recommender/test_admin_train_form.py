"""The admin's "Train a new model" form: defaults prefilled, validated, creates a queued run."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS
from tests.recommender.helpers import train_form_data

pytestmark = pytest.mark.django_db

TRAIN = reverse("admin:recommender_modelversion_train")


@pytest.fixture
def admin_user(client):
    user = User.objects.create_superuser("boss", password="x")
    client.force_login(user)
    return user


def test_every_hyperparameter_is_prefilled_with_its_default(client, admin_user):
    form = client.get(TRAIN).context["form"]
    defaults = Word2VecParams()
    for name in PARAM_FIELDS:
        expected = ("1" if defaults.sg else "0") if name == "sg" else getattr(defaults, name)
        assert form[name].value() == expected, name


def test_posting_the_form_queues_a_run_with_those_hyperparameters(
    client, admin_user, django_capture_on_commit_callbacks
):
    # The message would go out after commit; capturing without running keeps Redis out of it.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(TRAIN, train_form_data(vector_size=24, epochs=3, sg=0))

    version = ModelVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:recommender_modelversion_change", args=[version.pk]
    )
    assert (version.vector_size, version.epochs, version.sg) == (24, 3, False)
    assert version.status == ModelVersion.Status.QUEUED
    assert version.created_by == admin_user
    assert len(callbacks) == 1


def test_an_invalid_hyperparameter_is_refused_before_anything_is_queued(client, admin_user):
    response = client.post(TRAIN, train_form_data(vector_size=0))

    assert response.status_code == 200
    assert "vector_size" in response.context["form"].errors
    assert not ModelVersion.objects.exists()


def test_the_detail_page_shows_every_question_with_its_baselines_and_the_ablation(
    client, admin_user
):
    def scored(hit_rate: float) -> dict:
        return {"hit_rate_at_10": hit_rate, "ndcg_at_10": hit_rate / 2, "reach": 0.2, "cases": 9}

    version = ModelVersion.objects.create(
        status=ModelVersion.Status.SUCCEEDED,
        artifacts_path="/srv/models/v1",
        metrics={
            "next": {"model": scored(0.1234), "successors": scored(0.1171)},
            "next_one_song": {"model": scored(0.1111), "popularity": scored(0.0222)},
            "continuation": {
                "model": {"precision_at_10": 0.5678, "cases": 4},
                "cooccurrence": {"precision_at_10": 0.4321, "cases": 4},
            },
            "similar": {"model": {**scored(0.2), "reach": 0.187, "tag_agreement": 0.81}},
            "ablation": {"next": {"both": 0.1234, "statistics": 0.1199, "embeddings": 0.0777}},
        },
    )
    page = client.get(reverse("admin:recommender_modelversion_change", args=[version.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    for value in ("0.1234", "0.0222", "0.1171", "0.5678", "0.4321", "18.7%", "81.0%", "0.0777"):
        assert value in html, value
    for label in ("successor counts", "co-occurrence counts", "Ablation", "/srv/models/v1"):
        assert label in html, label
    listing = client.get(reverse("admin:recommender_modelversion_changelist")).content.decode()
    for value in ("0.1234", "0.1171", "0.5678", "18.7%"):
        assert value in listing, value
