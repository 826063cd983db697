"""The metrics a version stores are what a program gets: recomputed through the HTTP API on the
same cases, every headline figure comes out the same."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.test import Client

from recommender import serving
from recommender.ml.evaluation import EVALUATION_MAX_R, K, cases_build
from recommender.training import model_version_activate, training_corpus_read
from tests.recommender.helpers import catalogue_create, small_params, version_train_in_process

pytestmark = pytest.mark.django_db


def _ids(response) -> np.ndarray:
    assert response.status_code == 200, response.content
    return np.array([item["song"]["id"] for item in response.json()["results"]], dtype=np.int64)


def _post(api: Client, route: str, payload: dict) -> np.ndarray:
    return _ids(api.post(route, json.dumps(payload), content_type="application/json"))


def _radio_playlists(count: int = 160, genres: int = 4, songs_per_genre: int = 30) -> list:
    """Stations walking through one genre each: successors and co-occurrence both carry signal,
    and every playlist has more than 15 distinct songs (continuation cases)."""
    rng = np.random.default_rng(5)
    playlists = []
    for n in range(count):
        genre = n % genres
        start = int(rng.integers(songs_per_genre))
        steps = rng.choice([1, 1, 2, 3, 7], size=24)
        offsets = (start + np.cumsum(steps)) % songs_per_genre
        playlists.append([genre * songs_per_genre + int(o) for o in offsets])
    return playlists


def test_every_headline_metric_is_reproduced_by_calling_the_api(settings, tmp_path) -> None:
    settings.RECOMMENDER_API_RATE_LIMIT = 0
    settings.RECOMMENDER_ARTIFACTS_DIR = str(tmp_path / "models")
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0
    serving.serving_reset()  # a cold process: nothing another test loaded
    catalogue_create(playlists=_radio_playlists(), songs=120)
    version = version_train_in_process(params=small_params(epochs=10))
    model_version_activate(version_id=version.id)
    api = Client()
    stored = version.metrics
    cases = cases_build(playlists=training_corpus_read().evaluation)
    assert cases.counts() == stored["cases"]
    assert min(cases.counts().values()) > 0

    def hit_rate(lists: list[np.ndarray], targets: np.ndarray) -> float:
        return float(np.mean([t in songs[:K] for songs, t in zip(lists, targets, strict=True)]))

    next_lists = [_post(api, "/api/next", {"history": list(h)}) for h in cases.next_histories]
    one_lists = [_post(api, "/api/next", {"history": [h[-1]]}) for h in cases.next_histories]
    similar_lists = [
        _ids(api.get(f"/api/songs/{seed}/similar", {"k": K})) for seed in cases.similar_seeds
    ]
    precisions = []
    for seeds, truth in zip(cases.continuation_seeds, cases.continuation_truth, strict=True):
        k = max(min(len(truth), EVALUATION_MAX_R), K)
        songs = _post(api, "/api/recommendations", {"seeds": list(seeds), "k": k})
        precisions.append(np.isin(songs[:K], truth).sum() / K)

    model = {question: stored[question]["model"] for question in ("next", "continuation")}
    assert hit_rate(next_lists, cases.next_targets) == pytest.approx(
        model["next"]["hit_rate_at_10"], abs=1e-9
    )
    assert hit_rate(one_lists, cases.next_targets) == pytest.approx(
        stored["next_one_song"]["model"]["hit_rate_at_10"], abs=1e-9
    )
    assert float(np.mean(precisions)) == pytest.approx(
        model["continuation"]["precision_at_10"], abs=1e-9
    )
    assert hit_rate(similar_lists, cases.similar_targets) == pytest.approx(
        stored["similar"]["model"]["hit_rate_at_10"], abs=1e-9
    )
    reach = len(np.unique(np.concatenate([s[:K] for s in similar_lists])))
    assert reach / stored["catalogue_size"] == pytest.approx(
        stored["similar"]["model"]["reach"], abs=1e-9
    )
    # Not a trivial agreement: the model is right on some cases and wrong on others.
    assert 0 < stored["next"]["model"]["hit_rate_at_10"] < 1


def test_the_stored_familiarity_sweep_is_what_the_api_answers_at_each_familiarity(
    settings, tmp_path
) -> None:
    settings.RECOMMENDER_API_RATE_LIMIT = 0
    settings.RECOMMENDER_ARTIFACTS_DIR = str(tmp_path / "models")
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0
    serving.serving_reset()
    catalogue_create(playlists=_radio_playlists(), songs=120)
    version = version_train_in_process(params=small_params(epochs=10))
    model_version_activate(version_id=version.id)
    api = Client()
    sweep = version.metrics["familiarity"]["next"]
    assert set(sweep) == {"0", "0.5", "1"}
    # The sweep runs on the ablation's cases: the first of the evaluation's.
    cases = cases_build(playlists=training_corpus_read().evaluation)
    histories = cases.next_histories[: version.metrics["ablation_cases"]["next"]]
    targets = cases.next_targets[: len(histories)]
    reaches = {}
    for label, metrics in sweep.items():
        lists = [
            _post(api, "/api/next", {"history": list(h), "familiarity": float(label)})
            for h in histories
        ]
        hits = np.mean([t in songs[:K] for songs, t in zip(lists, targets, strict=True)])
        assert float(hits) == pytest.approx(metrics["hit_rate_at_10"], abs=1e-9), label
        reaches[label] = len(np.unique(np.concatenate(lists))) / version.metrics["catalogue_size"]
        assert reaches[label] == pytest.approx(metrics["reach"], abs=1e-9), label
    plays = {label: m["popularity_ratio"] for label, m in sweep.items()}
    assert plays["1"] > plays["0"], plays
