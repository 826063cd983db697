"""SongTable answers exactly what the catalogue's SongInfo objects say, for every id asked."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from playlists.selectors import SongInfo
from recommender.api import payloads
from recommender.api_limits import SONG_TAGS
from recommender.serving.song_table import SongTable

# Each song's tags already in the shown order (rarest first, ties as given), which the table
# would otherwise change: test_song_table_orders_tags.py covers that.
SONGS = (
    SongInfo(id=0, title="Billie Jean", artist="Michael Jackson", tags=("pop", "80s")),
    SongInfo(id=2, title="Jolène <b>", artist="Dolly & Co", tags=()),
    SongInfo(id=3, title="", artist="", tags=("chanson",)),
    SongInfo(id=7, title="東京 🎵", artist="Ünïcode", tags=("rock", "80s", "pop")),
)


def test_every_song_reads_back_as_it_was_given() -> None:
    table = SongTable.build(SONGS)
    assert len(table) == len(SONGS)
    assert list(table) == [song.id for song in SONGS]
    for song in SONGS:
        assert song.id in table
        assert table[song.id] == song
        assert table.get(song.id) == song
    assert dict(table.items()) == {song.id: song for song in SONGS}


@pytest.mark.parametrize("sparse", [False, True], ids=["dense ids", "sparse ids"])
def test_unknown_ids_are_absent_whatever_their_type(sparse: bool) -> None:
    songs = SONGS + ((SongInfo(id=10**12, title="far", artist="a", tags=()),) if sparse else ())
    table = SongTable.build(songs)
    for absent in (1, 4, 8, -1, 10**11, 2**63, 2**70, -(2**70), "0", None, 0.0):
        assert absent not in table
        with pytest.raises(KeyError):
            table[absent]  # type: ignore[index]
    assert table[np.int64(7)] == SONGS[3]  # type: ignore[index]
    assert (10**12 in table) is sparse


def test_ids_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="ids must increase"):
        SongTable.build([SONGS[1], SONGS[0]])
    with pytest.raises(ValueError, match="ids must increase"):
        SongTable.build([SONGS[0], SONGS[0]])


def test_an_empty_catalogue_is_an_empty_table() -> None:
    table = SongTable.build([])
    assert len(table) == 0
    assert 0 not in table
    assert list(table) == []


def test_the_arrays_are_never_written_after_building() -> None:
    """Read-only data pages are what stays shared between gunicorn's forked workers."""
    table = SongTable.build(SONGS)
    for _ in range(3):
        for song in SONGS:
            assert table[song.id] == song
    arrays = [value for value in vars(table).values() if isinstance(value, np.ndarray)]
    assert arrays, "the table keeps its data in numpy arrays"
    assert all(array.dtype != object for array in arrays)


def test_each_songs_encoded_json_is_what_the_api_writes_for_it() -> None:
    """json_of is a slice of one blob encoded when the table is built; it must decode to the
    same object payloads.song_json makes from the song, escapes and tag limit included."""
    many_tags = tuple(f"tag {n}" for n in range(SONG_TAGS + 5))
    songs = (*SONGS, SongInfo(id=9, title='say "hi" \\ \n', artist="a\tb", tags=many_tags))
    table = SongTable.build(songs)
    for song in songs:
        assert orjson.loads(table.json_of(song.id)) == payloads.song_json(table[song.id])
    assert len(orjson.loads(table.json_of(9))["tags"]) == SONG_TAGS
    with pytest.raises(KeyError):
        table.json_of(1)
