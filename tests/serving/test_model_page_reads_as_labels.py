"""/model and the admin's version page read as labels, shares and counts, never stored keys."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from recommender.models import ModelVersion

pytestmark = pytest.mark.django_db

# What the worker stores, with a question that also keeps scalars beside its rankers.
METRICS = {
    "next": {
        "model": {"hit_rate_at_10": 0.1908, "reach": 0.219, "cases": 18734},
        "popularity": {"hit_rate_at_10": 0.0254, "reach": 0.001, "cases": 18734},
        "pairs": 20000,
    },
    "continuation": {
        "model": {"precision_at_10": 0.0, "reach": 0.0, "cases": 0},
        "popularity": {"precision_at_10": 0.0, "reach": 0.0, "cases": 0},
    },
    "k": 10,
    "catalogue_size": 75262,
    "cases": {"next": 18734},
}
CORPUS = {"train_playlists": 9980, "train_songs": 1700143, "evaluated_on": "the test split"}
RAW_KEYS = ("hit_rate_at_10", "recommended_share", "train_songs", "vector_size", "ns_exponent")


@pytest.fixture
def stored(active_version: ModelVersion) -> ModelVersion:
    # The served version, with the figures a full-size run stores (the test model is tiny).
    ModelVersion.objects.filter(pk=active_version.pk).update(metrics=METRICS, corpus_stats=CORPUS)
    active_version.refresh_from_db()
    return active_version


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_model_page_prints_labels_shares_counts_and_readable_hyperparameters(
    api: Client, stored: ModelVersion
) -> None:
    html = api.get("/model").content.decode()
    text = visible_text(html)

    for key in RAW_KEYS:
        assert key not in text, key
    assert "HR@10" in text and "0.1908" in text
    assert "21.9%" in text  # reach is a share
    assert "18,734 held-out cases" in text
    assert "1,700,143" in text and "75,262" in text
    # Settings of the evaluation, not metric rows.
    assert "10.0000" not in text and "20000.0000" not in text
    assert "<dt>Songs per list scored (k)</dt><dd>10</dd>" in html
    assert "pairs 20,000" in text
    assert "<dt>Architecture</dt><dd>Skip-gram</dd>" in html
    assert "<dt>Window</dt><dd>3 songs each side</dd>" in html
    assert "<dt>Epochs</dt><dd>15</dd>" in html
    assert "sg True" not in text and "True" not in text
    # A question with no cases says so instead of a table of zeros.
    continuation = html.split("Continuation: 5 seeds", 1)[1].split("<h3", 1)[0]
    assert "no held-out cases for this question" in continuation
    assert "0.0000" not in continuation


def test_admin_version_page_uses_the_same_labels(client: Client, stored: ModelVersion) -> None:
    client.force_login(User.objects.create_superuser("boss", password="x"))
    html = client.get(
        reverse("admin:recommender_modelversion_change", args=[stored.pk])
    ).content.decode()
    content = visible_text(html.split('id="content"', 1)[1])

    for key in RAW_KEYS:
        assert key not in content, key
    for text in ("HR@10", "21.9%", "18,734 held-out cases", "Skip-gram", "1,700,143"):
        assert text in content, text
    assert "Songs per list scored (k)" in content
    assert "Plays in the training playlists" in content
