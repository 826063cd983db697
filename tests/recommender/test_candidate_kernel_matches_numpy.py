"""The compiled candidate stage gives the candidates and features of the plain numpy oracle."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.embeddings import SongEmbeddings
from recommender.ml.features import CatalogueArrays, Question, candidates_build
from recommender.ml.sorted_sets import sorted_unique
from recommender.ml.statistics import statistics_build
from recommender.ml.vectors import SongVectors
from tests.recommender.candidates_reference import candidates_reference

SIZE = 400


def _world(seed: int) -> dict[str, object]:
    """A catalogue with Zipf-like plays, artists, tags and vectors for most songs."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, SIZE + 1)
    weights /= weights.sum()
    playlists = [rng.choice(SIZE, size=int(rng.integers(2, 40)), p=weights) for _ in range(300)]
    statistics = statistics_build(playlists=playlists, catalogue_size=SIZE)
    with_vectors = np.flatnonzero(rng.random(SIZE) < 0.85)
    query = rng.normal(size=(len(with_vectors), 8)).astype(np.float32)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    output = rng.normal(size=(len(with_vectors), 8)).astype(np.float32)
    embeddings = SongEmbeddings(
        song_ids=with_vectors.astype(np.int64), query_vectors=query, candidate_vectors=output
    )
    catalogue = CatalogueArrays.build(
        catalogue_size=SIZE,
        artists={s: f"artist {s % 37}" for s in range(SIZE) if s % 11},
        tags={
            s: rng.choice(20, size=int(rng.integers(0, 5)), replace=False).tolist()
            for s in range(SIZE)
        },
        recommendable={s for s in range(SIZE) if s % 17},
    )
    plays = statistics.plays
    popular = np.flatnonzero(plays > 0)
    popular = popular[np.argsort(-plays[popular], kind="stable")].astype(np.int64)
    return {
        "statistics": statistics,
        "vectors": SongVectors.from_embeddings(embeddings, catalogue_size=SIZE),
        "catalogue": catalogue,
        "popular": popular,
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_kernel_equals_the_numpy_oracle_on_every_question(seed: int) -> None:
    world = _world(seed)
    rng = np.random.default_rng(seed + 100)
    questions = list(Question)
    compared = 0
    for case in range(240):
        question = questions[case % len(questions)]
        one = question in (Question.SIMILAR, Question.NEXT_ONE)
        # Repeats inside a history are allowed (a listener replays a song).
        context = [int(s) for s in rng.integers(0, SIZE, size=1 if one else rng.integers(2, 8))]
        excluded = [int(s) for s in rng.integers(0, SIZE, size=rng.integers(0, 6))]
        arguments = {
            "context": context,
            "question": question,
            "banned": sorted_unique(np.asarray(context + excluded, dtype=np.int64)),
            **world,
        }
        got = candidates_build(**arguments)  # type: ignore[arg-type]
        expected = candidates_reference(**arguments)  # type: ignore[arg-type]
        np.testing.assert_array_equal(got.song_ids, expected.song_ids)
        # Word2Vec products are summed in another order than BLAS does: float32 rounding.
        np.testing.assert_allclose(got.features, expected.features, rtol=1e-5, atol=1e-6)
        compared += len(got)
    assert compared > 240 * 20  # the cases had candidates to compare


def test_banned_and_unrecommendable_songs_never_become_candidates() -> None:
    world = _world(3)
    catalogue = world["catalogue"]
    assert isinstance(catalogue, CatalogueArrays)
    popular = world["popular"]
    assert isinstance(popular, np.ndarray)
    banned = np.sort(popular[:30])
    found = candidates_build(
        context=[int(popular[0]), int(popular[1])],
        question=Question.CONTINUATION,
        banned=banned,
        **world,  # type: ignore[arg-type]
    )
    assert len(found) > 0
    assert not np.isin(found.song_ids, banned).any()
    assert catalogue.recommendable[found.song_ids].all()
