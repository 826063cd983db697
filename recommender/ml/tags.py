"""Which Last.fm tags say something about a song, and in what order.

Last.fm tags mix genres with opinions, and a few broad tags sit on a large part of the
catalogue. The rule, in one place:

- opinion tags (OPINION_TAGS) say how a listener felt, not what the song is: never used;
- a tag on more than GENERIC_SHARE of the tagged songs ("rock", "pop", "alternative") is
  generic: kept for display, but it does not make two songs alike;
- the remaining tags are specific, ranked by inverse document frequency (rarest first).
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
    }
)
GENERIC_SHARE = 0.18


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
    idf = np.log((tagged + 1) / (counts + 1))
    shares = counts / max(tagged, 1)
    specific = frozenset(
        tag
        for tag, name in tag_names.items()
        if name.strip().lower() not in OPINION_TAGS and shares[tag] <= GENERIC_SHARE
    )
    return specific, idf


def tags_ranked(tags: Sequence[int], *, specific: frozenset[int], idf: np.ndarray) -> list[int]:
    """A song's specific tags, most specific (rarest) first; ties keep the data set's order."""
    kept = [tag for tag in tags if tag in specific]
    return sorted(kept, key=lambda tag: -idf[tag])
