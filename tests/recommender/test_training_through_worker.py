"""A training run through the real Redis to a real Celery worker: queued, running, succeeded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from django.db import transaction

from recommender.artifacts import artifacts_load, manifest_verify
from recommender.embeddings import Word2VecParams
from recommender.index import SongIndex
from recommender.models import ModelVersion
from recommender.training import model_version_create
from tests.recommender.helpers import CLUSTERS, catalogue_create, finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Small and fast, with enough epochs that the poll sees progress move. No down-sampling: in a
# 20-song catalogue every song is "frequent" and would lose most of its plays.
PARAMS = replace(
    Word2VecParams(), vector_size=16, window=3, epochs=60, negative=5, sample=0.0, seed=3
)


def test_run_goes_queued_running_succeeded_and_becomes_active(worker, artifacts_dir):
    catalogue_create()

    with transaction.atomic():
        version = model_version_create(params=PARAMS, activate_when_done="better")
        # Enqueued after commit: inside the transaction the worker cannot have seen it yet.
        assert ModelVersion.objects.get(id=version.pk).status == ModelVersion.Status.QUEUED

    seen: list[tuple[str, int]] = []
    done = wait_for(version.pk, finished, seen=seen)

    assert done.status == ModelVersion.Status.SUCCEEDED, done.error
    assert done.is_active
    running_epochs = [epoch for status, epoch in seen if status == ModelVersion.Status.RUNNING]
    assert len(set(running_epochs)) >= 2, f"progress never moved while running: {seen}"
    assert running_epochs == sorted(running_epochs)
    assert done.progress_epoch == PARAMS.epochs
    assert done.metrics["model"]["hit_rate_at_10"] is not None
    assert set(done.metrics) >= {"model", "popularity", "successors"}
    assert Path(done.artifacts_path) == artifacts_dir / f"v{done.pk}"


def test_artifacts_load_and_co_occurring_songs_are_nearest_neighbours(worker):
    catalogue_create()
    version = model_version_create(params=PARAMS, activate_when_done="always")
    done = wait_for(version.pk, finished)
    assert done.status == ModelVersion.Status.SUCCEEDED, done.error

    folder = Path(done.artifacts_path)
    manifest = manifest_verify(folder)
    assert manifest["version_id"] == done.pk
    assert manifest["hyperparameters"]["vector_size"] == PARAMS.vector_size
    loaded = artifacts_load(folder)
    index = SongIndex.load(folder)
    assert len(index) == len(loaded.embeddings.song_ids) == 20

    # Every song's nearest neighbours (besides itself) are exactly the rest of its cluster.
    for cluster in CLUSTERS:
        for song in cluster:
            row = int(np.flatnonzero(loaded.embeddings.song_ids == song)[0])
            query = loaded.embeddings.query_vectors[row : row + 1]
            _, ids = index.search(query, len(cluster) + 1)
            neighbours = [int(i) for i in ids[0] if i != song][: len(cluster) - 1]
            assert sorted(neighbours) == sorted(set(cluster) - {song}), (song, neighbours)
