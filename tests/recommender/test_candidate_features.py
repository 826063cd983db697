"""Candidate features are the documented numbers on a hand-made catalogue."""

from __future__ import annotations

import numpy as np

from recommender.ml.embeddings import SongEmbeddings
from recommender.ml.features import FEATURE_INDEX, CatalogueArrays, Question, candidates_build
from recommender.ml.statistics import statistics_build
from recommender.ml.vectors import SongVectors

SIZE = 8
# 1 -> 2 twice, 1 -> 3 once; 2 -> 4; songs 5..7 are never played after 1 or 2.
PLAYLISTS = [np.array(p) for p in ([1, 2, 4], [1, 2], [1, 3], [5, 6, 7])]


def _candidates(context: list[int], question: Question = Question.NEXT_ONE):
    statistics = statistics_build(playlists=PLAYLISTS, catalogue_size=SIZE)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(7, 4)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    embeddings = SongEmbeddings(
        song_ids=np.arange(1, 8, dtype=np.int64), query_vectors=vectors, candidate_vectors=vectors
    )
    catalogue = CatalogueArrays.build(
        catalogue_size=SIZE,
        artists={1: "a", 2: "a", 3: "b", 4: "c"},
        tags={1: [0, 5], 2: [5], 3: [1], 4: [0], 6: [5]},
    )
    found = candidates_build(
        context=context,
        question=question,
        statistics=statistics,
        vectors=SongVectors.from_embeddings(embeddings, catalogue_size=SIZE),
        catalogue=catalogue,
        banned=np.asarray(sorted(context), dtype=np.int64),
        popular=np.array([1, 2, 5, 6, 7, 3, 4]),
    )
    return {int(s): row for s, row in zip(found.song_ids, found.features, strict=True)}


def test_successor_share_artist_and_tag_features() -> None:
    rows = _candidates([1])
    assert 1 not in rows and {2, 3} <= set(rows)
    share = FEATURE_INDEX["successor_share"]
    assert np.isclose(rows[2][share], 2 / 3) and np.isclose(rows[3][share], 1 / 3)
    assert rows[2][FEATURE_INDEX["same_artist_last"]] == 1
    assert rows[3][FEATURE_INDEX["same_artist_last"]] == 0
    tag = FEATURE_INDEX["same_tag_last"]
    # Song 1 carries tags 0 and 5: 2 (5), 4 (0) and 6 (5) share one; 3 (1) and 7 (none) do not.
    assert {s: rows[s][tag] for s in (2, 3, 4, 6, 7)} == {2: 1, 3: 0, 4: 1, 6: 1, 7: 0}
    assert rows[2][FEATURE_INDEX["popularity"]] == np.float32(np.log1p(2))


def test_tag_context_is_the_share_of_context_songs_sharing_a_tag() -> None:
    rows = _candidates([3, 2], Question.NEXT)
    context_tag = FEATURE_INDEX["same_tag_context"]
    # Context 3 (tag 1) and 2 (tag 5): song 6 (tag 5) shares with one of two, 4 (tag 0) none.
    assert rows[6][context_tag] == 0.5
    assert rows[4][context_tag] == 0.0
    assert rows[6][FEATURE_INDEX["same_tag_last"]] == 1
    assert rows[1][FEATURE_INDEX["same_tag_last"]] == 1  # 1 carries tag 5 like 2 does
