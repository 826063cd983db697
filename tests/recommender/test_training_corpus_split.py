"""Training reads the corpus once and evaluates on playlists it did not train on."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.evaluation import holdout_split
from recommender.training import training_corpus_read
from tests.recommender.helpers import catalogue_create, cluster_playlists

pytestmark = pytest.mark.django_db


def _as_tuples(arrays):
    return sorted(tuple(np.asarray(a).tolist()) for a in arrays)


def test_without_a_test_split_a_deterministic_hold_out_is_excluded_from_training():
    playlists = cluster_playlists(count=200, length=5)
    catalogue_create(playlists=playlists)

    corpus = training_corpus_read()

    # Keys are the file's line numbers (playlists start on line 3), as in evaluation's protocol.
    _, held_out = holdout_split(playlist_keys=[3 + n for n in range(len(playlists))])
    expected_eval = [p for n, p in enumerate(playlists) if 3 + n in held_out]
    expected_train = [p for n, p in enumerate(playlists) if 3 + n not in held_out]
    assert expected_eval, "the hold-out should not be empty for 200 playlists"
    assert _as_tuples(corpus.evaluation) == _as_tuples(expected_eval)
    assert _as_tuples(corpus.train) == _as_tuples(expected_train)
    assert corpus.stats["eval_playlists"] == len(expected_eval)
    assert "hold-out" in corpus.stats["evaluated_on"]


def test_with_a_test_split_all_train_playlists_train_and_the_test_split_evaluates():
    train = cluster_playlists(count=20, length=5)
    test = [[0, 1, 2], [10, 11, 12, 13]]
    catalogue_create(playlists=train, test=test)

    corpus = training_corpus_read()

    assert _as_tuples(corpus.train) == _as_tuples(train)
    assert _as_tuples(corpus.evaluation) == _as_tuples(test)
    assert corpus.stats["evaluated_on"] == "the test split"


def test_playlists_of_one_song_are_left_out():
    catalogue_create(playlists=[[1], [2, 3], [4]], test=[[5, 6]])

    corpus = training_corpus_read()

    assert _as_tuples(corpus.train) == [(2, 3)]
