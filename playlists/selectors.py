"""Read-only queries on the catalogue that other apps (recommender) may use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from django.db.models import Case, IntegerField, Q, Value, When

from playlists.models import SONG_ID_MAX, Playlist, Song, SongTag, Tag
from playlists.text import search_query_key, search_words


@dataclass(frozen=True, slots=True)
class SongInfo:
    id: int
    title: str
    artist: str
    tags: tuple[str, ...]


def playlist_song_ids_iter(
    *, split: str = Playlist.Split.TRAIN, min_length: int = 1, chunk_size: int = 500
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (playlist id, song ids in play order) for one split, streamed from the database."""
    rows = (
        Playlist.objects.filter(split=split, length__gte=min_length)
        .order_by("id")
        .values_list("id", "song_ids_blob")
    )
    for playlist_id, blob in rows.iterator(chunk_size=chunk_size):
        yield playlist_id, np.frombuffer(bytes(blob), dtype="<i4")


def split_exists(*, split: str) -> bool:
    return Playlist.objects.filter(split=split).exists()


def song_count() -> int:
    return Song.objects.count()


def all_song_ids() -> np.ndarray:
    return np.fromiter(Song.objects.values_list("id", flat=True).order_by("id"), dtype=np.int64)


def tag_names() -> dict[int, str]:
    """Every tag's name by its id."""
    return dict(Tag.objects.values_list("id", "name"))


def tag_names_by_song(*, song_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Tag names of each song, in the data set's order (tag-id order: most common first)."""
    names = tag_names()
    result: dict[int, list[str]] = {}
    rows = (
        SongTag.objects.filter(song_id__in=list(song_ids))
        .order_by("song_id", "rank")
        .values_list("song_id", "tag_id")
    )
    for song_id, tag_id in rows:
        result.setdefault(song_id, []).append(names[tag_id])
    return {song_id: tuple(tags) for song_id, tags in result.items()}


def songs_by_ids(*, song_ids: Iterable[int]) -> dict[int, SongInfo]:
    """SongInfo for each id that exists (unknown ids are simply absent).

    An id outside the column's range (a page URL takes any digits) is unknown too.
    """
    ids = [song_id for song_id in song_ids if 0 <= song_id <= SONG_ID_MAX]
    tags = tag_names_by_song(song_ids=ids)
    return {
        song_id: SongInfo(id=song_id, title=title, artist=artist, tags=tags.get(song_id, ()))
        for song_id, title, artist in Song.objects.filter(id__in=ids).values_list(
            "id", "title", "artist"
        )
    }


def song_search(*, query: str, limit: int = 20, offset: int = 0) -> tuple[list[SongInfo], int]:
    """Songs whose title or artist contains every word of the query, best matches first.

    Ranking: title starts with the query, then artist starts with it, then anything else;
    ties by popularity (plays in the data set). Returns (page, total matches).
    """
    key = search_query_key(query)
    if not key:
        return [], 0
    matches = Song.objects.filter(is_placeholder=False)
    for word in search_words(key):
        matches = matches.filter(search_text__contains=word)
    ranked = matches.annotate(
        rank=Case(
            When(search_text__startswith=key, then=Value(0)),
            When(Q(search_text__contains=f" {key}"), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "-play_count", "id")
    total = ranked.count()
    ids = list(ranked.values_list("id", flat=True)[offset : offset + limit])
    infos = songs_by_ids(song_ids=ids)
    return [infos[song_id] for song_id in ids], total


def playlist_line_numbers(*, split: str = Playlist.Split.TRAIN) -> dict[int, int]:
    """Playlist id -> its line number in the split's file: the key the hold-out is drawn on.

    Line numbers survive a re-ingest (row ids may not), so a model trained today and a
    benchmark reading train.txt hold out the same playlists.
    """
    return dict(Playlist.objects.filter(split=split).values_list("id", "line_number"))


@dataclass(frozen=True)
class CatalogueFacts:
    """What training needs to know of every song besides the playlists."""

    size: int  # song ids lie in [0, size)
    # song id -> artist, compared case- and accent-insensitively. Real songs only: training
    # marks exactly the songs listed here recommendable, so placeholder rows never serve.
    artists: dict[int, str]
    tag_names: dict[int, str]
    song_tags: dict[int, list[int]]  # song id -> tag ids in the data set's order


def catalogue_facts() -> CatalogueFacts:
    """Artists and tags of the whole catalogue, for the worker's ranking arrays."""
    largest = Song.objects.order_by("-id").values_list("id", flat=True).first()
    artists = {
        song_id: search_query_key(artist) or ""
        for song_id, artist in Song.objects.filter(is_placeholder=False)
        .values_list("id", "artist")
        .iterator(chunk_size=5000)
    }
    song_tags: dict[int, list[int]] = {}
    rows = SongTag.objects.order_by("song_id", "rank").values_list("song_id", "tag_id")
    for song_id, tag_id in rows.iterator(chunk_size=20000):
        song_tags.setdefault(song_id, []).append(tag_id)
    return CatalogueFacts(
        size=(largest + 1) if largest is not None else 0,
        artists=artists,
        tag_names=dict(Tag.objects.values_list("id", "name")),
        song_tags=song_tags,
    )
