"""A song's neighbours read from the tables are exactly what a search for its vector answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.ml.index import IndexSettings, one_search_thread
from recommender.ml.vectors import NEIGHBOURS_KEPT, SongVectors
from tests.recommender.neighbour_models import INVERTED, SONGS, trained, vectors_of, with_twins


def _assert_lookups_are_searches(vectors: SongVectors, ks: tuple[int, ...]) -> None:
    # Serving and the worker ask one query at a time on one thread.
    with one_search_thread():
        for row in range(vectors.size):
            query = vectors.query[row]
            for k in ks:
                assert np.array_equal(
                    vectors.nearest_next_of_row(row, k), vectors.nearest_next(query, k)
                ), (row, k)
                assert np.array_equal(
                    vectors.nearest_alike_of_row(row, k), vectors.nearest_alike(query, k)
                ), (row, k)


@pytest.mark.parametrize(
    ("songs", "settings", "twins"),
    [
        pytest.param(SONGS, None, False, id="exact"),
        pytest.param(SONGS, INVERTED, False, id="inverted-file"),
        pytest.param(24, None, False, id="fewer-songs-than-the-width"),
        # Exact ties: FAISS orders them by what its heap held, which depends on k.
        pytest.param(SONGS, None, True, id="exact-ties"),
        pytest.param(SONGS, INVERTED, True, id="exact-ties-inverted-file"),
    ],
)
def test_every_row_reads_what_a_search_for_it_answers(
    songs: int, settings: IndexSettings | None, twins: bool
) -> None:
    embeddings = trained(songs=songs)
    vectors = vectors_of(
        with_twins(embeddings) if twins else embeddings, settings, catalogue_size=songs
    )
    kind = vectors.next_index.describe()["kind"]
    assert kind == ("flat" if settings is None else "ivf-flat")

    _assert_lookups_are_searches(vectors, (1, 10, NEIGHBOURS_KEPT))


def test_a_table_row_holds_the_width_of_song_ids_padded_with_minus_one() -> None:
    big = vectors_of(trained(), catalogue_size=SONGS)
    small = vectors_of(trained(songs=24), catalogue_size=24)

    for vectors in (big, small):
        for table in (vectors.next_neighbours, vectors.alike_neighbours):
            assert table.shape == (vectors.size, NEIGHBOURS_KEPT)
            assert table.dtype == np.int32
    assert (big.next_neighbours >= 0).all() and (big.alike_neighbours >= 0).all()
    # 24 songs: every row names them all, then pads.
    assert (small.alike_neighbours[:, :24] >= 0).all()
    assert (small.alike_neighbours[:, 24:] == -1).all()
    assert len(small.nearest_alike_of_row(0, NEIGHBOURS_KEPT)) == 24


def test_an_ask_wider_than_the_table_is_searched() -> None:
    vectors = vectors_of(trained(), INVERTED, catalogue_size=SONGS)
    wider = NEIGHBOURS_KEPT + 9

    for row in (0, vectors.size // 2, vectors.size - 1):
        found = vectors.nearest_next_of_row(row, wider)
        assert len(found) > NEIGHBOURS_KEPT
        assert np.array_equal(found, vectors.nearest_next(vectors.query[row], wider))
        alike = vectors.nearest_alike_of_row(row, wider)
        assert np.array_equal(alike, vectors.nearest_alike(vectors.query[row], wider))


def test_saved_tables_load_mapped_read_only_and_answer_the_same(tmp_path: Path) -> None:
    embeddings = trained()
    vectors = vectors_of(embeddings, INVERTED, catalogue_size=SONGS)
    vectors.save(tmp_path, embeddings=embeddings)

    loaded, _ = SongVectors.load(tmp_path, catalogue_size=SONGS)

    for before, after in (
        (vectors.next_neighbours, loaded.next_neighbours),
        (vectors.alike_neighbours, loaded.alike_neighbours),
    ):
        np.testing.assert_array_equal(after, before)
        # Mapped from the page cache: web workers share one copy.
        assert isinstance(after.base, np.memmap)
        assert not after.flags.writeable
    _assert_lookups_are_searches(loaded, (NEIGHBOURS_KEPT,))


def test_k_below_one_is_refused_by_lookup_and_search_alike() -> None:
    vectors = vectors_of(trained(songs=24), catalogue_size=24)
    with pytest.raises(ValueError, match="at least 1"):
        vectors.nearest_next_of_row(0, 0)
    with pytest.raises(ValueError, match="at least 1"):
        vectors.nearest_next(vectors.query[0], 0)
