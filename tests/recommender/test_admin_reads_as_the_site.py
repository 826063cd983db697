"""The admin is branded as the site and its version list reads as English."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from recommender.models import ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client):
    client.force_login(User.objects.create_superuser("boss", password="x"))


def test_the_admin_is_branded_as_the_site(client, boss) -> None:
    html = client.get(reverse("admin:index")).content.decode()

    assert "Django administration" not in html
    assert "Django site admin" not in html
    assert "<title>Models and catalogue | songrec admin</title>" in html
    assert "songrec administration" in html


@pytest.mark.parametrize(("epochs", "text"), [(1, "1 epoch<"), (3, "3 epochs<")])
def test_the_version_list_counts_epochs_in_english(client, boss, epochs: int, text: str) -> None:
    ModelVersion.objects.create(status=ModelVersion.Status.SUCCEEDED, epochs=epochs)

    html = client.get(reverse("admin:recommender_modelversion_changelist")).content.decode()

    assert text in html
    assert "1 epochs" not in html
