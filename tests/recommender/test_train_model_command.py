"""`manage.py train_model --wait` through the real worker: progress, metrics, exit status."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommender.models import ModelVersion
from tests.recommender.helpers import REPO_ROOT, catalogue_create

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SMALL = ["--vector-size", "16", "--window", "3", "--negative", "5", "--epochs", "20"]


def test_train_model_wait_trains_activates_and_prints_the_metrics(worker):
    catalogue_create()
    out, err = StringIO(), StringIO()

    call_command("train_model", "--wait", *SMALL, "--activate", "always", stdout=out, stderr=err)

    version = ModelVersion.objects.get()
    assert version.status == ModelVersion.Status.SUCCEEDED
    assert version.is_active
    assert (version.vector_size, version.epochs, version.activate_when_done) == (16, 20, "always")
    text = out.getvalue()
    assert f"v{version.pk} succeeded" in text
    for label in ("HR@10", "NDCG@10", "precision@10", "reach", "successor counts", "Ablation"):
        assert label in text, label
    assert "Does Word2Vec add?" in text
    test = version.metrics["ablation_significance"]["similar"]["hit_rate_at_10"]
    assert f"{test['cases']} cases" in text
    for question in ("next", "next_one_song", "continuation"):
        model = version.metrics[question]["model"]
        figure = model.get("hit_rate_at_10", model.get("precision_at_10"))
        assert f"{figure:.4f}" in text, question
    assert "20/20" in err.getvalue()  # the progress bar reached the last epoch
    # One bar redrawn in place ("\r"), not a new line for every poll.
    assert sum("epoch" in line for line in err.getvalue().split("\n")) == 1, err.getvalue()


def test_a_failed_run_makes_the_command_exit_non_zero(worker, test_env):
    catalogue_create(playlists=[])  # nothing to train on

    result = subprocess.run(
        [sys.executable, "manage.py", "train_model", "--wait", *SMALL],
        cwd=REPO_ROOT,
        env=test_env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "failed" in result.stderr and "corpus is empty" in result.stderr
    assert ModelVersion.objects.get().status == ModelVersion.Status.FAILED


def test_invalid_hyperparameters_are_refused_before_anything_is_queued():
    with pytest.raises(CommandError, match="vector_size must be at least 1"):
        call_command("train_model", "--vector-size", "0", stdout=StringIO())
    assert not ModelVersion.objects.exists()
