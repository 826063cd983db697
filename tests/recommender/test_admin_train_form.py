"""The admin's "Train a new model" form: defaults prefilled, validated, creates a queued run."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from recommender.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS

pytestmark = pytest.mark.django_db

TRAIN = reverse("admin:recommender_modelversion_train")


@pytest.fixture
def admin_user(client):
    user = User.objects.create_superuser("boss", password="x")
    client.force_login(user)
    return user


def _form_data(**changes) -> dict[str, str]:
    defaults = Word2VecParams()
    data = {name: str(getattr(defaults, name)) for name in PARAM_FIELDS}
    data["sg"] = "1" if defaults.sg else "0"
    data["activate_when_done"] = "better"
    data.update({name: str(value) for name, value in changes.items()})
    return data


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
        response = client.post(TRAIN, _form_data(vector_size=24, epochs=3, sg=0))

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
    response = client.post(TRAIN, _form_data(vector_size=0))

    assert response.status_code == 200
    assert "vector_size" in response.context["form"].errors
    assert not ModelVersion.objects.exists()


def test_the_detail_page_shows_metrics_next_to_both_baselines(client, admin_user):
    version = ModelVersion.objects.create(
        status=ModelVersion.Status.SUCCEEDED,
        artifacts_path="/srv/models/v1",
        metrics={
            "model": {"hit_rate_at_10": 0.1234, "ndcg_at_10": 0.05, "coverage": 1.0},
            "popularity": {"hit_rate_at_10": 0.0222, "ndcg_at_10": 0.01, "coverage": 0.001},
            "successors": {"hit_rate_at_10": 0.1171, "ndcg_at_10": 0.07, "coverage": 0.9},
            "pairs": 500,
        },
    )
    page = client.get(reverse("admin:recommender_modelversion_change", args=[version.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    for value in ("0.1234", "0.0222", "0.1171", "/srv/models/v1", "vector_size"):
        assert value in html
    listing = client.get(reverse("admin:recommender_modelversion_changelist")).content.decode()
    assert "0.1234" in listing and "0.0222" in listing and "0.1171" in listing
