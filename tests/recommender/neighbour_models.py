"""Small trained models for the neighbour-table tests: real Word2Vec on synthetic playlists."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from recommender.ml.embeddings import SongEmbeddings, Word2VecParams, embeddings_train
from recommender.ml.index import IndexSettings
from recommender.ml.vectors import SongVectors

# Wider than the tables (NEIGHBOURS_KEPT) and, at POINTS_PER_LIST songs a list, room for four.
SONGS = 320
GROUPS = 8
# Below its threshold the index is exact; these settings make it an inverted file that
# searches half its lists, the kind the real catalogue gets.
INVERTED = IndexSettings(exact_below=0, lists=4, nprobe=2, recall_target=None)


def playlists(*, songs: int = SONGS, count: int = 240, length: int = 10) -> list[np.ndarray]:
    """Playlists drawn from one group of songs each, so that the vectors form clusters."""
    rng = np.random.default_rng(11)
    group_size = songs // GROUPS
    return [
        rng.choice(np.arange(group_size) + (n % GROUPS) * group_size, size=length).astype(np.int32)
        for n in range(count)
    ]


def trained(*, songs: int = SONGS) -> SongEmbeddings:
    params = Word2VecParams(vector_size=16, epochs=3, workers=1, seed=5)
    return embeddings_train(playlists=playlists(songs=songs), params=params)


def with_twins(embeddings: SongEmbeddings) -> SongEmbeddings:
    """Every odd row a copy of the row before: pairs of songs whose scores tie exactly."""
    query = embeddings.query_vectors.copy()
    output = embeddings.candidate_vectors.copy()
    query[1::2] = query[0::2][: len(query[1::2])]
    output[1::2] = output[0::2][: len(output[1::2])]
    return replace(embeddings, query_vectors=query, candidate_vectors=output)


def vectors_of(
    embeddings: SongEmbeddings, settings: IndexSettings | None = None, *, catalogue_size: int
) -> SongVectors:
    return SongVectors.from_embeddings(
        embeddings, catalogue_size=catalogue_size, index_settings=settings
    )
