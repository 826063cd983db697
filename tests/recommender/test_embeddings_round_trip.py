"""Trained embeddings survive save then load unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recommender.ml.embeddings import (
    DEFAULT_SCORING,
    Scoring,
    SongEmbeddings,
    Word2VecParams,
    embeddings_train,
    word2vec_train,
)
from tests.recommender.playlist_groups import grouped_playlists


def test_saved_embeddings_load_back_identical(tmp_path: Path) -> None:
    embeddings = embeddings_train(
        playlists=grouped_playlists(), params=Word2VecParams(vector_size=8, epochs=2, workers=1)
    )
    embeddings.save(tmp_path)
    loaded = SongEmbeddings.load(tmp_path)

    assert loaded.song_ids.dtype == np.int64
    assert loaded.query_vectors.dtype == np.float32
    np.testing.assert_array_equal(loaded.song_ids, embeddings.song_ids)
    np.testing.assert_array_equal(loaded.query_vectors, embeddings.query_vectors)
    np.testing.assert_array_equal(loaded.candidate_vectors, embeddings.candidate_vectors)
    assert loaded.train_seconds == embeddings.train_seconds
    assert loaded.words_per_second == embeddings.words_per_second
    assert loaded.scoring == embeddings.scoring


def test_every_played_song_gets_a_unit_query_vector_with_min_count_one() -> None:
    playlists = grouped_playlists()
    raw = word2vec_train(
        playlists=playlists, params=Word2VecParams(vector_size=8, epochs=2, workers=1)
    )
    played = np.unique(np.concatenate(playlists))
    np.testing.assert_array_equal(np.sort(raw.song_ids), played)
    assert raw.words_per_second > 0

    for scoring in Scoring:
        embeddings = raw.embeddings(scoring)
        assert embeddings.query_vectors.shape == (len(played), 8)
        query_norms = np.linalg.norm(embeddings.query_vectors, axis=1)
        np.testing.assert_allclose(query_norms, 1.0, rtol=1e-5)
    # in_out normalises the output vectors; in_out_dot keeps them raw; in_in reuses the queries.
    cosine = raw.embeddings(Scoring.IN_OUT).candidate_vectors
    np.testing.assert_allclose(np.linalg.norm(cosine, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(
        raw.embeddings(Scoring.IN_OUT_DOT).candidate_vectors, raw.output_vectors
    )
    in_in = raw.embeddings(Scoring.IN_IN)
    np.testing.assert_array_equal(in_in.candidate_vectors, in_in.query_vectors)


def test_default_scoring_is_the_measured_best_input_times_raw_output() -> None:
    embeddings = embeddings_train(
        playlists=grouped_playlists(), params=Word2VecParams(vector_size=8, epochs=2, workers=1)
    )
    assert embeddings.scoring == DEFAULT_SCORING == Scoring.IN_OUT_DOT
