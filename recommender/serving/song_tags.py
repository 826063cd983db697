"""Songs read from the database, their tags in the order every answer shows them.

The song page, search and the songs of a shared link read the database, whose tags are in
the data set's order (the catalogue's most common first). They get the catalogue table's
order instead (ml/tags.py: no opinion tags, the most specific first), so a song's tags read
the same on its page as in every list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from playlists.selectors import SongInfo, songs_by_ids
from recommender.serving.state import catalogue_table


def songs_tags_ranked(songs: Sequence[SongInfo]) -> list[SongInfo]:
    """`songs` with their tags in the shown order."""
    if not songs:
        return []
    table = catalogue_table()
    return [dataclasses.replace(song, tags=table.tags_ranked(song.tags)) for song in songs]


def songs_shown(*, song_ids: Iterable[int]) -> dict[int, SongInfo]:
    """songs_by_ids, with each song's tags in the shown order."""
    found = songs_by_ids(song_ids=song_ids)
    return {song.id: song for song in songs_tags_ranked(list(found.values()))}
