"""ml/tags.py: the one rule for which tags a song shows and uses, and in what order."""

from __future__ import annotations

import itertools

import numpy as np

from recommender.ml.tags import (
    GENERIC_SHARE,
    is_opinion,
    specific_tag_ids,
    tags_ranked,
    tags_shown,
    tags_shown_rows,
)

# Tag ids in the data set's order: the most common tags have the smallest ids.
NAMES = {0: "rock", 1: "pop", 2: "favorites", 3: "classic rock", 4: "80s", 5: "metal"}
SONG_TAGS = [
    [0, 1, 2, 5],  # rock, pop, favorites, metal
    [0, 3, 4],  # rock, classic rock, 80s ("Surrender")
    [0, 1, 2],
    [0, 1],
    [0, 1, 4],
    [0, 1, 3],
    [1, 2],
    [0],
    [],
    # Enough other songs that classic rock and 80s stay under GENERIC_SHARE.
    *([0, 1] for _ in range(10)),
]


def _rows(song_tags: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array([tag for tags in song_tags for tag in tags], dtype=np.int32)
    starts = np.cumsum([0, *map(len, song_tags)])
    return codes, starts


def test_opinion_tags_are_known_whatever_their_case_or_spacing() -> None:
    assert is_opinion("favorites") and is_opinion(" Seen Live ") and is_opinion("LOVE")
    assert not is_opinion("metal") and not is_opinion("love songs")


def test_shown_tags_lose_opinions_and_run_from_the_rarest() -> None:
    codes, starts = _rows(SONG_TAGS)
    shown, shown_starts, idf = tags_shown_rows(codes, starts, names=list(NAMES.values()))
    rows = [shown[a:b].tolist() for a, b in itertools.pairwise(shown_starts)]
    # metal (1 song) before pop (16) before rock (17); favorites never.
    assert rows[0] == [5, 1, 0]
    # classic rock and 80s are on two songs each: a tie keeps the data set's order.
    assert rows[1] == [3, 4, 0]
    assert rows[6] == [1] and rows[8] == []
    assert idf[5] > idf[3] == idf[4] > idf[1] > idf[0]


def test_names_are_ordered_by_the_same_counts() -> None:
    codes, starts = _rows(SONG_TAGS)
    names = list(NAMES.values())
    _, _, idf = tags_shown_rows(codes, starts, names=names)
    by_name = dict(zip(names, idf.tolist(), strict=True))
    shown = tags_shown(["rock", "pop", "favorites", "metal"], idf=by_name)
    assert shown == ("metal", "pop", "rock")


def test_generic_tags_are_shown_last_and_never_matched_on() -> None:
    specific, idf = specific_tag_ids(tag_names=NAMES, song_tags=SONG_TAGS)
    tagged = sum(1 for tags in SONG_TAGS if tags)
    shares = {tag: sum(tag in tags for tags in SONG_TAGS) / tagged for tag in NAMES}
    assert shares[0] > GENERIC_SHARE and shares[1] > GENERIC_SHARE
    assert specific == {3, 4, 5}  # rock and pop are generic, favorites an opinion
    # "Surrender" matches other songs on classic rock and 80s only, never on rock.
    assert tags_ranked(SONG_TAGS[1], specific=specific, idf=idf) == [3, 4]
    # The same counts as the shown order: the specific tags are the first ones shown.
    codes, starts = _rows(SONG_TAGS)
    shown, shown_starts, _ = tags_shown_rows(codes, starts, names=list(NAMES.values()))
    assert shown[shown_starts[1] : shown_starts[2]].tolist()[:2] == [3, 4]


def test_genres_come_before_rarer_descriptions_and_each_spelling_once() -> None:
    # "powerful" is on one song, "heavy metal" on two, "hip hop"/"hip-hop" on two each: rarity
    # alone would lead with "powerful"; a genre leads, and hip-hop is shown once.
    names = ["rock", "heavy metal", "powerful", "hip hop", "hip-hop", "1990s"]
    song_tags = [[0, 1, 2], [0, 1], [0, 3, 4, 5], [0, 3, 4], [0]]
    codes, starts = _rows(song_tags)
    shown, shown_starts, idf = tags_shown_rows(codes, starts, names=names)
    rows = [[names[c] for c in shown[a:b]] for a, b in itertools.pairwise(shown_starts)]
    assert idf[2] > idf[1]
    assert rows[0] == ["heavy metal", "powerful", "rock"]
    assert rows[2] == ["hip hop", "1990s", "rock"]
    by_name = dict(zip(names, idf.tolist(), strict=True))
    assert list(tags_shown(["rock", "powerful", "heavy metal"], idf=by_name)) == rows[0]
    assert tags_shown(["hip-hop", "rock", "hip hop", "1990s"], idf=by_name)[1:] == ("1990s", "rock")
