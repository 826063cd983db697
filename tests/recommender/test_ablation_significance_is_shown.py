"""The paired test of the ablation is shown where the ablation is: what Word2Vec adds, with its
interval and p-value, and a plain reading of whether the difference is real."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recommender.metrics_display import ablation_rows
from recommender.models import ModelVersion

pytestmark = pytest.mark.django_db

METRICS = {
    "similar": {"model": {"hit_rate_at_10": 0.1149, "reach": 0.2078, "cases": 10000}},
    "ablation": {
        "next": {"both": 0.1910, "statistics": 0.1886, "embeddings": 0.0978},
        "similar": {"both": 0.1149, "statistics": 0.1102, "embeddings": 0.0633},
    },
    "ablation_significance": {
        "next": {
            "hit_rate_at_10": {
                "both": 0.1910,
                "statistics": 0.1886,
                "both_minus_statistics": 0.0024,
                "ci95": [-0.0004, 0.0054],
                "p_value": 0.126,
                "test": "sign",
                "cases": 5000,
                "discordant": [32, 20],
            }
        },
        "similar": {
            "hit_rate_at_10": {
                "both": 0.1149,
                "statistics": 0.1102,
                "both_minus_statistics": 0.0047,
                "ci95": [0.0021, 0.0075],
                "p_value": 0.00044,
                "test": "sign",
                "cases": 10000,
                "discordant": [110, 63],
            },
            "reach": {
                "both": 0.2078,
                "statistics": 0.2446,
                "both_minus_statistics": -0.0368,
                "ci95": None,
                "p_value": 0.0005,
                "test": "randomisation",
                "cases": 10000,
            },
        },
    },
}


def test_each_question_reads_whether_word2vec_adds_measurably() -> None:
    rows = {row.title.split(",")[0].split(":")[0]: row for row in ablation_rows(METRICS)}
    (next_hits,) = rows["Next song"].tests
    assert (next_hits.difference, next_hits.interval) == ("+0.0024", "-0.0004 to +0.0054")
    assert next_hits.verdict == "no measurable difference"
    similar_hits, similar_reach = rows["Similar songs"].tests
    assert (similar_hits.p_value, similar_hits.cases) == ("< 0.001", "10,000")
    assert similar_hits.verdict == "Word2Vec adds"
    assert (similar_reach.difference, similar_reach.interval) == ("-3.7%", "—")
    assert similar_reach.verdict == "Word2Vec costs"


def test_the_admin_shows_the_paired_test_beside_the_ablation(client, admin_user) -> None:
    client.force_login(admin_user)
    version = ModelVersion.objects.create(status=ModelVersion.Status.SUCCEEDED, metrics=METRICS)
    html = client.get(
        reverse("admin:recommender_modelversion_change", args=[version.pk])
    ).content.decode()
    assert "Does Word2Vec add?" in html
    for text in ("+0.0047", "+0.0021 to +0.0075", "&lt; 0.001", "Word2Vec adds", "0.126"):
        assert text in html, text
