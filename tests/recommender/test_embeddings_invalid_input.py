"""Hyperparameters that cannot train and empty corpora fail with readable messages."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.embeddings import Word2VecParams, embeddings_train
from tests.recommender.playlist_groups import grouped_playlists


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vector_size": 0}, "vector_size must be at least 1 (got 0)"),
        ({"window": 0}, "window must be at least 1 (got 0)"),
        ({"negative": -1}, "negative must be at least 1"),
        ({"epochs": 0}, "epochs must be at least 1 (got 0)"),
        ({"min_count": 0}, "min_count must be at least 1 (got 0)"),
        ({"sample": -0.1}, "sample must be 0"),
        ({"alpha": 0.0}, "alpha (the learning rate) must be above 0"),
        ({"ns_exponent": float("nan")}, "ns_exponent must be a finite number"),
    ],
)
def test_invalid_hyperparameter_is_refused_with_its_name(
    change: dict[str, object], message: str
) -> None:
    params = Word2VecParams(**change)  # type: ignore[arg-type]
    with pytest.raises(ValueError) as raised:
        params.validate()
    assert message in str(raised.value)
    with pytest.raises(ValueError) as raised_by_training:
        embeddings_train(playlists=grouped_playlists(), params=params)
    assert message in str(raised_by_training.value)


def test_default_hyperparameters_are_valid() -> None:
    Word2VecParams().validate()


@pytest.mark.parametrize(
    "playlists", [[], [np.array([], dtype=np.int32)], [np.zeros(0, dtype=np.int64)] * 3]
)
def test_empty_corpus_is_refused(playlists: list[np.ndarray]) -> None:
    with pytest.raises(ValueError, match="the training corpus is empty"):
        embeddings_train(playlists=playlists, params=Word2VecParams(epochs=1))


def test_min_count_that_leaves_no_song_is_refused() -> None:
    with pytest.raises(ValueError, match="the training corpus is empty after min_count=1000"):
        embeddings_train(
            playlists=grouped_playlists(), params=Word2VecParams(min_count=1000, epochs=1)
        )
