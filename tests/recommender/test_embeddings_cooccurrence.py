"""Songs played in the same playlists end up each other's best candidates."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.embeddings import Scoring, Word2VecParams, embeddings_train
from tests.recommender.playlist_groups import GROUP_SIZE, group_of, grouped_playlists


@pytest.mark.parametrize("scoring", list(Scoring))
def test_songs_that_cooccur_outrank_unrelated_songs(scoring: Scoring) -> None:
    embeddings = embeddings_train(
        playlists=grouped_playlists(),
        params=Word2VecParams(vector_size=16, window=3, epochs=30, sample=0, workers=1),
        scoring=scoring,
    )
    scores = embeddings.query_vectors @ embeddings.candidate_vectors.T
    np.fill_diagonal(scores, -np.inf)
    top = embeddings.song_ids[np.argsort(-scores, axis=1)[:, : GROUP_SIZE - 1]]

    for seed, row in zip(embeddings.song_ids.tolist(), top.tolist(), strict=True):
        assert seed not in row
        assert {group_of(song) for song in row} == {group_of(seed)}, (seed, row)


def test_query_for_several_seeds_is_the_normalised_mean() -> None:
    embeddings = embeddings_train(
        playlists=grouped_playlists(), params=Word2VecParams(vector_size=8, epochs=2, workers=1)
    )
    rows = embeddings.rows_of([0, 7, 12345])
    assert rows[2] == -1
    expected = embeddings.query_vectors[rows[:2]].mean(axis=0)
    expected /= np.linalg.norm(expected)
    query = embeddings.query_for([0, 7, 12345])
    assert query is not None
    np.testing.assert_allclose(query, expected, rtol=1e-6)
    assert embeddings.query_for([12345]) is None
