"""A training run through the real Redis to a real Celery worker: queued, running, succeeded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from django.db import transaction

from recommender.artifacts import manifest_verify
from recommender.ml.embeddings import Word2VecParams
from recommender.ml.index import SongIndex
from recommender.ml.recommender import Recommender
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
    for question in ("next", "next_one_song", "continuation", "similar"):
        scored = done.metrics[question]
        assert set(scored) >= {"model", "popularity", "successors", "cooccurrence"}, question
    assert done.hit_rate() is not None
    assert set(done.metrics["ablation"]["next"]) == {"both", "statistics", "embeddings"}
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
    loaded = Recommender.load(folder)
    index = SongIndex.load(folder)
    assert len(index) == loaded.vectors.size == 20

    # Every song's most similar songs are exactly the rest of its cluster, by the vectors
    # alone and by the served ranking.
    for cluster in CLUSTERS:
        for song in cluster:
            query = loaded.vectors.query[loaded.vectors.row_of(song)]
            nearest = loaded.vectors.nearest_alike(query, len(cluster) + 1)
            neighbours = [int(i) for i in nearest if i != song][: len(cluster) - 1]
            assert sorted(neighbours) == sorted(set(cluster) - {song}), (song, neighbours)
            ranked = loaded.similar(song, len(cluster) - 1).song_ids.tolist()
            assert sorted(ranked) == sorted(set(cluster) - {song}), (song, ranked)
