"""The song catalogue as flat arrays: id -> SongInfo without a Python object per song.

A dict of SongInfo objects costs every web worker tens of MB of Python objects, and it cannot
be shared between the workers even when it is built before they fork: every request that reads
a song writes its reference counts, so each page it touches is copied into that worker. The
same facts as a handful of arrays are a fraction of the size, and their data pages are never
written, so the copy that gunicorn's master builds before forking (config/gunicorn.py) stays
one copy for all its workers. A SongInfo is built only for the songs a request returns.

Layout: `ids` sorted; titles, artists and tag codes as one blob each with row offsets
(`*_start`, n + 1 entries); tag names as one more blob, with each tag's inverse document
frequency over the table's songs. Ids that are dense (the catalogue's ids are the data set's
row numbers) also get `row_of`, a direct id -> row table.

Each song's tags are stored in the order they are shown (ml/tags.py: no opinion tags, the
most specific first), worked out once for the whole table when it is built, so a request
pays nothing for it; `tags_ranked` puts tag names read elsewhere in the same order.

Each song's JSON as the API writes it (`json_of`) is encoded once too, into one more blob: an
answer's songs are then slices of it, with no SongInfo, dict or encoding per song and request.
Like the rest it is built before gunicorn forks and never written, so the workers share it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import orjson

from playlists.selectors import SongInfo
from recommender.api_limits import SONG_TAGS
from recommender.ml.tags import tags_shown, tags_shown_rows

# Ids up to this many times the song count get the direct id -> row table (4 bytes per id);
# sparser ids are found by binary search instead.
_DENSE_FACTOR = 4
SONGS_CACHED = 4096


class SongTable(Mapping[int, SongInfo]):
    """A read-only id -> SongInfo mapping over a few arrays."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self._ids = arrays["ids"]
        self._title_start = arrays["title_start"]
        self._artist_start = arrays["artist_start"]
        self._tag_start = arrays["tag_start"]
        self._tag_codes = arrays["tag_codes"]
        self._titles = arrays["titles"].data
        self._artists = arrays["artists"].data
        self._row_of = arrays.get("row_of")
        self._json = arrays["song_json"].data
        self._json_start = arrays["song_json_start"]
        # ~hundreds of tag names: a tuple is cheaper than decoding them per song.
        names, starts = arrays["tag_names"].data, arrays["tag_name_start"].tolist()
        self._tag_names = tuple(str(names[a:b], "utf-8") for a, b in itertools.pairwise(starts))
        self._tag_idf = dict(zip(self._tag_names, arrays["tag_idf"].tolist(), strict=True))
        if len(self._title_start) != len(self._ids) + 1:
            raise ValueError("song table: title offsets do not match the ids")
        # Listening is Zipf-shaped: a few thousand songs are most of what requests return, and
        # a SongInfo built from the arrays costs microseconds. This bounded cache is the only
        # per-process copy, a few MB at most.
        self._song_at = functools.lru_cache(maxsize=SONGS_CACHED)(self._song_at)  # type: ignore[method-assign]

    @classmethod
    def build(cls, songs: Iterable[SongInfo]) -> SongTable:
        """A table of `songs`, given in increasing id order (read as a stream, not kept).

        The tags' frequencies are counted over the same stream, so the tags are put in their
        shown order after it, for all songs at once, on the flat arrays.
        """
        tag_code: dict[str, int] = {}
        ids: list[int] = []
        titles, artists = bytearray(), bytearray()
        codes: list[int] = []
        title_start, artist_start, tag_start = [0], [0], [0]
        # Each song's JSON without its tags, whose order is known only after the stream.
        heads, head_start = bytearray(), [0]
        for song in songs:
            if ids and song.id <= ids[-1]:
                raise ValueError(f"song table: ids must increase ({song.id} after {ids[-1]})")
            ids.append(song.id)
            heads += orjson.dumps({"id": song.id, "title": song.title, "artist": song.artist})
            head_start.append(len(heads))
            titles += song.title.encode("utf-8")
            artists += song.artist.encode("utf-8")
            codes.extend(tag_code.setdefault(tag, len(tag_code)) for tag in song.tags)
            title_start.append(len(titles))
            artist_start.append(len(artists))
            tag_start.append(len(codes))
        shown, shown_start, idf = tags_shown_rows(
            np.array(codes, dtype=np.int32), np.array(tag_start, dtype=np.int64), names=[*tag_code]
        )
        names = [name.encode("utf-8") for name in tag_code]
        song_json, song_json_start = _songs_json(heads, head_start, shown, shown_start, [*tag_code])
        arrays: dict[str, np.ndarray] = {
            "ids": np.array(ids, dtype=np.int64),
            "titles": np.frombuffer(bytes(titles), dtype=np.uint8),
            "title_start": np.array(title_start, dtype=np.int64),
            "artists": np.frombuffer(bytes(artists), dtype=np.uint8),
            "artist_start": np.array(artist_start, dtype=np.int64),
            "tag_codes": shown.astype(np.int32),
            "tag_start": shown_start,
            "tag_names": np.frombuffer(b"".join(names), dtype=np.uint8),
            "tag_name_start": np.cumsum([0, *map(len, names)], dtype=np.int64),
            "tag_idf": idf,
            "song_json": song_json,
            "song_json_start": song_json_start,
        }
        if ids and ids[0] >= 0 and ids[-1] < _DENSE_FACTOR * len(ids) + 1024:
            row_of = np.full(ids[-1] + 1, -1, dtype=np.int32)
            row_of[arrays["ids"]] = np.arange(len(ids), dtype=np.int32)
            arrays["row_of"] = row_of
        return cls(arrays)

    def tags_ranked(self, tags: Iterable[str]) -> tuple[str, ...]:
        """Tag names (e.g. a song read from the database) in the order this table shows them."""
        return tags_shown(list(tags), idf=self._tag_idf)

    def _row(self, song_id: object) -> int:
        if type(song_id) is int:
            key = song_id
        elif isinstance(song_id, int | np.integer):
            key = int(song_id)
        else:
            return -1
        if self._row_of is not None:
            return self._row_of.item(key) if 0 <= key < len(self._row_of) else -1
        ids = self._ids
        if not len(ids) or not int(ids[0]) <= key <= int(ids[-1]):
            return -1
        row = int(np.searchsorted(ids, key))
        return row if int(ids[row]) == key else -1

    def __getitem__(self, song_id: int) -> SongInfo:
        row = self._row(song_id)
        if row < 0:
            raise KeyError(song_id)
        return self._song_at(row)

    def get(self, song_id: int, default: SongInfo | None = None) -> SongInfo | None:  # type: ignore[override]
        # Mapping.get goes through __getitem__ and a KeyError; answers call this per song.
        row = self._row(song_id)
        return self._song_at(row) if row >= 0 else default

    def json_of(self, song_id: int) -> bytes:
        """The song as the API writes it: {"id", "title", "artist", "tags"} (SONG_TAGS tags)."""
        encoded = self.json_get(song_id)
        if encoded is None:
            raise KeyError(song_id)
        return encoded

    def json_get(self, song_id: int) -> bytes | None:
        """json_of, or None for a song the table does not hold (one lookup, no KeyError)."""
        row = self._row(song_id)
        if row < 0:
            return None
        start = self._json_start
        return self._json[start.item(row) : start.item(row + 1)].tobytes()

    def _song_at(self, row: int) -> SongInfo:
        title, artist, tag = self._title_start, self._artist_start, self._tag_start
        return SongInfo(
            id=self._ids.item(row),
            title=str(self._titles[title.item(row) : title.item(row + 1)], "utf-8"),
            artist=str(self._artists[artist.item(row) : artist.item(row + 1)], "utf-8"),
            tags=tuple(
                map(
                    self._tag_names.__getitem__,
                    self._tag_codes[tag.item(row) : tag.item(row + 1)].tolist(),
                )
            ),
        )

    def __contains__(self, song_id: object) -> bool:
        return self._row(song_id) >= 0

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids.tolist())


def _songs_json(
    heads: bytearray,
    head_start: list[int],
    tag_codes: np.ndarray,
    tag_start: np.ndarray,
    tag_names: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Every song's JSON in one blob with row offsets: its head (id, title, artist, ending in
    "}") opened again for its first SONG_TAGS tags in the shown order."""
    tag_json = [orjson.dumps(name) for name in tag_names]
    codes, starts = tag_codes.tolist(), tag_start.tolist()
    blob, offsets = bytearray(), [0]
    for row in range(len(head_start) - 1):
        first = starts[row]
        tags = b",".join(
            [tag_json[code] for code in codes[first : min(starts[row + 1], first + SONG_TAGS)]]
        )
        blob += heads[head_start[row] : head_start[row + 1] - 1]
        blob += b',"tags":[' + tags + b"]}"
        offsets.append(len(blob))
    return np.frombuffer(bytes(blob), dtype=np.uint8), np.array(offsets, dtype=np.int64)
