"""Which Last.fm tags say something about a song, and in what order.

Last.fm tags mix genres with opinions, and a few broad tags sit on a large part of the
catalogue. The data set lists every song's tags in tag-id order, which is the catalogue's
order (most common first), not the song's: without a rule every page would lead with "rock,
pop, favorites". The rule, in one place:

- opinion tags (OPINION_TAGS) say how a listener felt, not what the song is: never used,
  never shown;
- a tag on more than GENERIC_SHARE of the tagged songs ("rock", "pop", "alternative") is
  generic: shown, but it does not make two songs alike (the popular fallback and the
  same-tag features match on specific tags only);
- the remaining tags are specific, ranked by inverse document frequency (rarest first).

Shown (tags_shown, tags_shown_rows), a song's genre tags (GENRES: "heavy metal", "motown")
come first, then its other tags ("1980s", "powerful", "california"); within each group the
highest inverse document frequency first, so specific before generic ("rock", "pop": a generic
tag is by definition more common than any specific one). Rarity alone would lead Metallica with
"powerful, male, classics" and hide "metal" in 17th place. Spellings of one tag ("hip-hop",
"hip hop", "hiphop") are shown once. Ties keep the data set's order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

OPINION_TAGS = frozenset(
    {
        "favorites",
        "favorite",
        "favourites",
        "favourite",
        "favorite songs",
        "favourite songs",
        "love",
        "loved",
        "love it",
        "awesome",
        "amazing",
        "beautiful",
        "cool",
        "catchy",
        "fun",
        "great song",
        "good",
        "great",
        "best",
        "seen live",
        "my favorite",
        "sexy",
        "epic",
        "fucking awesome",
        "love at first listen",
        "songs i absolutely love",
        "good stuff",
        "nice",
        "lovely",
        "great lyrics",
        "perfect",
        "<3",
        "the best",
        "best songs ever",
        "brilliant",
        "genius",
        "masterpiece",
        "legend",
        "hot",
        "cute",
        "my favorites",
        "all time favourites",
        "favorite artists",
        "faves",
        "fav",
        "favs",
        "guilty pleasure",
        "guilty pleasures",
        # A listener's or a station's own list: where the song was heard, not what it is.
        "heard on pandora",
        "radio paradise",
        "radioparadise",
        "radiotsar approved",
        "wjlb-fm",
        "radio music",
        "my pop music",
        "drjazzmrfunkmusic",
        "77davez-all-tracks",
        "malloy2000 playlist - top songs - classical to metal",
        "aitch",
        "other",
    }
)
GENERIC_SHARE = 0.18

# Genre tags of the data set, each with the genre the map colours it by.
GENRES: dict[str, str] = {
    "hip-hop": "hip-hop",
    "hip hop": "hip-hop",
    "hiphop": "hip-hop",
    "rap": "hip-hop",
    "rnb": "r&b / soul",
    "r&b": "r&b / soul",
    "rb": "r&b / soul",
    "r and b": "r&b / soul",
    "soul": "r&b / soul",
    "classic soul": "r&b / soul",
    "old school soul": "r&b / soul",
    "motown": "r&b / soul",
    "rhythm and blues": "r&b / soul",
    "funk": "r&b / soul",
    "country": "country",
    "classic country": "country",
    "alt-country": "country",
    "jazz": "jazz",
    "smooth jazz": "jazz",
    "vocal jazz": "jazz",
    "metal": "metal / hard rock",
    "heavy metal": "metal / hard rock",
    "alternative metal": "metal / hard rock",
    "hard rock": "metal / hard rock",
    "alternative": "alternative / indie",
    "alternative rock": "alternative / indie",
    "alt rock": "alternative / indie",
    "indie": "alternative / indie",
    "indie rock": "alternative / indie",
    "indie pop": "alternative / indie",
    "classic rock": "classic rock",
    "southern rock": "classic rock",
    "rock and roll": "classic rock",
    "rock n roll": "classic rock",
    "dance": "dance / electronic",
    "disco": "dance / electronic",
    "electronic": "dance / electronic",
    "electronica": "dance / electronic",
    "electro": "dance / electronic",
    "christian": "christian",
    "christian rock": "christian",
    "gospel": "christian",
    "latin": "latin",
    "folk": "folk / acoustic",
    "folk rock": "folk / acoustic",
    "acoustic": "folk / acoustic",
    "blues": "blues",
    "blues rock": "blues",
}
BROAD_GENRES = {"rock": "rock", "pop": "pop", "pop rock": "pop", "top 40": "pop"}


def _spelling(name: str) -> str:
    # "hip-hop", "hip hop" and "hiphop" are one tag spelled three ways.
    return "".join(ch for ch in name.strip().lower() if ch.isalnum())


def is_opinion(name: str) -> bool:
    """True for a tag that says how a listener felt ("favorites"), not what the song is."""
    return name.strip().lower() in OPINION_TAGS


def tag_idf(counts: np.ndarray, tagged: int) -> np.ndarray:
    """Inverse document frequency of each tag: `counts[tag]` of the `tagged` songs carry it."""
    return np.log((tagged + 1) / (np.asarray(counts, dtype=np.float64) + 1))


def specific_tag_ids(
    *, tag_names: Mapping[int, str], song_tags: Sequence[Sequence[int]]
) -> tuple[frozenset[int], np.ndarray]:
    """(ids of the specific tags, inverse document frequency of every tag id).

    `song_tags[song]` lists that song's tag ids. Opinion tags and generic tags are left out.
    """
    tag_count = max(tag_names, default=-1) + 1
    counts = np.zeros(tag_count, dtype=np.float64)
    tagged = 0
    for tags in song_tags:
        if len(tags):
            tagged += 1
            counts[np.asarray(tags, dtype=np.int64)] += 1
    shares = counts / max(tagged, 1)
    specific = frozenset(
        tag
        for tag, name in tag_names.items()
        if not is_opinion(name) and shares[tag] <= GENERIC_SHARE
    )
    return specific, tag_idf(counts, tagged)


def tags_ranked(tags: Sequence[int], *, specific: frozenset[int], idf: np.ndarray) -> list[int]:
    """A song's specific tags, most specific (rarest) first; ties keep the data set's order."""
    kept = [tag for tag in tags if tag in specific]
    return sorted(kept, key=lambda tag: -idf[tag])


def tags_shown(tags: Sequence[str], *, idf: Mapping[str, float]) -> tuple[str, ...]:
    """A song's tag names as shown: no opinions, genres first, highest `idf` first within each
    group (unknown names last), each spelling once."""
    kept = [tag for tag in tags if not is_opinion(tag)]
    ordered = sorted(kept, key=lambda tag: (tag not in GENRES, -idf.get(tag, -np.inf)))
    seen: set[str] = set()
    shown = []
    for tag in ordered:
        if _spelling(tag) not in seen:
            seen.add(_spelling(tag))
            shown.append(tag)
    return tuple(shown)


def tags_shown_rows(
    codes: np.ndarray, starts: np.ndarray, *, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every song's tags as shown, for a whole catalogue at once: (codes, starts, idf).

    Song i carries the tag codes `codes[starts[i]:starts[i + 1]]` (each tag once), code c
    naming `names[c]`. The inverse document frequencies are counted over these same songs;
    the returned rows drop the opinion tags and hold the others highest idf first, ties in
    the given order. `idf[c]` is code c's, for ordering names read elsewhere (tags_shown).
    """
    codes = np.asarray(codes, dtype=np.int64)
    lengths = np.asarray(np.diff(starts), dtype=np.int64)
    idf = tag_idf(np.bincount(codes, minlength=len(names)), int(np.count_nonzero(lengths)))
    opinion = np.fromiter((is_opinion(name) for name in names), dtype=bool, count=len(names))
    row = np.repeat(np.arange(len(lengths)), lengths)
    keep = ~opinion[codes]
    codes, row = codes[keep], row[keep]
    # One stable sort on (song, genre or not, rank of the idf): equal idfs share a rank and
    # keep their order.
    _, rank = np.unique(-idf, return_inverse=True)
    other = np.fromiter((name not in GENRES for name in names), dtype=np.int64, count=len(names))
    width = 2 * len(names)
    order = np.argsort(row * width + other[codes] * len(names) + rank[codes], kind="stable")
    codes, row = codes[order], row[order]
    # Each spelling once per song: the first of its spellings in the shown order stays.
    spelling: dict[str, int] = {}
    canonical = np.array([spelling.setdefault(_spelling(n), i) for i, n in enumerate(names)])
    _, first = np.unique(row * len(names) + canonical[codes], return_index=True)
    keep = np.zeros(len(codes), dtype=bool)
    keep[first] = True
    codes, row = codes[keep], row[keep]
    kept = np.bincount(row, minlength=len(lengths))
    shown_starts = np.concatenate([[0], np.cumsum(kept)]).astype(np.int64)
    return codes, shown_starts, idf
