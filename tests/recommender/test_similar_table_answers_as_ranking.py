"""A stored similar list is the list the Recommender ranks: for every song of a small model
and every k up to the stored length, the same ids, scores and reasons; and the questions it
does not answer (exclusions, a per-artist cap, another familiarity, a longer list, a song the
model knows nothing about) are still ranked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.ml.ranked import SOURCE_MODEL, SOURCE_POPULAR, Ranked
from recommender.ml.reasons import ReasonKind
from recommender.ml.recommender import Recommender
from recommender.ml.similar_table import SIMILAR_TABLE_FILE, STORED_K, SimilarTable
from tests.recommender.small_models import SIZE, small_model_build


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small model written to a folder as the worker writes it, embeddings and all."""
    built = small_model_build(1)
    folder = tmp_path_factory.mktemp("version")
    built.recommender.save(folder, embeddings=built.embeddings)
    return folder


@pytest.fixture(scope="module")
def served(saved: Path) -> Recommender:
    recommender = Recommender.load(saved)
    assert recommender.similar_table is not None
    return recommender


@pytest.fixture(scope="module")
def ranking(served: Recommender) -> Recommender:
    """The same weights and arrays with no table: every answer is ranked."""
    recommender = served.with_scorers(served.scorers)
    assert recommender.similar_table is None
    return recommender


def _same(got: Ranked, want: Ranked) -> None:
    assert got.source == want.source
    assert got.song_ids.tolist() == want.song_ids.tolist()
    assert got.song_ids.dtype == want.song_ids.dtype
    assert got.scores.tolist() == want.scores.tolist()
    assert got.scores.dtype == want.scores.dtype
    assert got.reasons() == want.reasons()
    backwards = list(range(len(want)))[::-1]
    assert got.reasons(backwards) == want.reasons(backwards)


def test_every_stored_list_is_the_ranked_one(served: Recommender, ranking: Recommender) -> None:
    table = served.similar_table
    assert table is not None
    stored = np.flatnonzero(table.stored).tolist()
    # Every song the model knows is stored; the three never played are not.
    assert stored == [s for s in range(SIZE) if ranking.has_signal(s)]
    assert set(range(SIZE - 3, SIZE)).isdisjoint(stored)
    kinds: set[ReasonKind] = set()
    most_shares = 0
    for song in stored:
        for k in range(1, STORED_K + 1):
            got = table.ranked(song, k)
            assert got is not None
            _same(got, ranking.similar(song, k))
            _same(served.similar(song, k), ranking.similar(song, k))
            _same(served.continuation([song], k), ranking.continuation([song], k))
            assert got.source == SOURCE_MODEL
        reasons = served.similar(song, STORED_K).reasons()
        kinds.update(reason.kind for reason in reasons)
        most_shares = max(most_shares, *(len(reason.shares) for reason in reasons))
    # The comparison covered reasons of several kinds and several shares each, not one.
    assert len(kinds) >= 2, kinds
    assert most_shares >= 3


def test_other_questions_are_ranked(served: Recommender, ranking: Recommender) -> None:
    song = int(np.flatnonzero(served.similar_table.stored)[0])  # type: ignore[union-attr]
    other = int(ranking.similar(song, 3).song_ids[1])
    for ask in (
        lambda r: r.similar(song, 5, exclude=[other]),
        lambda r: r.similar(song, 5, max_per_artist=1),
        lambda r: r.similar(song, 5, familiarity=0.9),
        lambda r: r.similar(song, STORED_K + 5),
        lambda r: r.continuation([song, other], 5),
        lambda r: r.next([song], 5),
    ):
        got, want = ask(served), ask(ranking)
        _same(got, want)
        assert type(got.explanation) is type(want.explanation)
    assert other not in served.similar(song, 5, exclude=[other]).song_ids.tolist()
    assert len(served.similar(song, STORED_K + 5)) == STORED_K + 5


def test_songs_without_signal_get_the_popular_fallback(served: Recommender) -> None:
    table = served.similar_table
    assert table is not None
    unplayed = SIZE - 1
    assert table.ranked(unplayed, 5) is None
    assert served.similar(unplayed, 5).source == SOURCE_POPULAR


def test_a_version_without_a_table_still_loads_and_ranks(saved: Path, tmp_path: Path) -> None:
    older = tmp_path / "older"
    older.mkdir()
    for path in saved.iterdir():
        if path.name != SIMILAR_TABLE_FILE:
            (older / path.name).write_bytes(path.read_bytes())
    recommender = Recommender.load(older)
    assert recommender.similar_table is None
    assert len(recommender.similar(0, 4)) == 4


def test_a_table_of_another_catalogue_is_refused(saved: Path) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        SimilarTable.load(saved, catalogue_size=SIZE + 1)
