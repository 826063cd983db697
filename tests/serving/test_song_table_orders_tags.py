"""The song table holds every song's tags as shown: no opinion tags, the rarest first."""

from __future__ import annotations

from playlists.selectors import SongInfo
from recommender.serving.song_table import SongTable


def _song(song_id: int, *tags: str) -> SongInfo:
    return SongInfo(id=song_id, title=f"Song {song_id}", artist="Band", tags=tags)


# "rock" and "pop" on most songs, "metal" on one, as in the data set's tag-id order.
CATALOGUE = (
    _song(0, "rock", "pop", "favorites", "metal"),
    _song(1, "rock", "pop", "80s"),
    _song(2, "rock", "pop", "80s"),
    _song(3, "rock", "love", "country"),
    _song(4, "pop"),
    _song(5),
)


def test_each_song_shows_its_rarest_tags_first_and_no_opinion() -> None:
    table = SongTable.build(CATALOGUE)
    assert table[0].tags == ("metal", "rock", "pop")
    assert table[1].tags == ("80s", "rock", "pop")
    assert table[3].tags == ("country", "rock")
    assert table[4].tags == ("pop",)
    assert table[5].tags == ()


def test_names_read_elsewhere_get_the_same_order() -> None:
    table = SongTable.build(CATALOGUE)
    # A song read from the database, in the data set's order.
    assert table.tags_ranked(["rock", "pop", "favorites", "metal"]) == table[0].tags
    # A tag the table never counted (ingested since) goes last; opinions go whatever the case.
    assert table.tags_ranked(["brand new", "pop", "Seen Live", "80s"]) == (
        "80s",
        "pop",
        "brand new",
    )


def test_an_empty_catalogue_orders_nothing() -> None:
    table = SongTable.build([])
    assert table.tags_ranked(["rock", "love"]) == ("rock",)
