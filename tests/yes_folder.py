"""Builds small yes_*-format folders for tests, in the exact layout of the real data set."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path


def write_yes_folder(
    folder: Path,
    *,
    songs: Sequence[tuple[str, str]],
    playlists: Sequence[Sequence[int]],
    tag_names: Sequence[str] = (),
    song_tags: dict[int, Sequence[int]] | None = None,
    test_playlists: Sequence[Sequence[int]] | None = None,
) -> Path:
    """Write song_hash.txt, tags.txt, tag_hash.txt, train.txt (and test.txt when given).

    `songs` are (raw title, raw artist) as the data set writes them (escapes included);
    a song's id is its position. Ids are written with the trailing space the real file has.
    """
    folder.mkdir(parents=True, exist_ok=True)
    song_tags = song_tags or {}
    (folder / "song_hash.txt").write_text(
        "".join(f"{i} \t{title}\t{artist}\n" for i, (title, artist) in enumerate(songs)),
        encoding="utf-8",
    )
    (folder / "tag_hash.txt").write_text(
        "".join(f"{i}, {name}\n" for i, name in enumerate(tag_names)), encoding="utf-8"
    )
    (folder / "tags.txt").write_text(
        "".join(
            (" ".join(str(t) for t in song_tags[i]) if song_tags.get(i) else "#") + "\n"
            for i in range(len(songs))
        ),
        encoding="utf-8",
    )
    for name, lists in (("train.txt", playlists), ("test.txt", test_playlists)):
        if lists is None:
            continue
        counts = Counter(song for playlist in lists for song in playlist)
        header = " ".join(str(1000 + i) for i in range(len(songs)))
        count_line = " ".join(str(counts.get(i, 0)) for i in range(len(songs)))
        body = "".join(" ".join(str(s) for s in playlist) + " \n" for playlist in lists)
        (folder / name).write_text(f"{header}\n{count_line}\n{body}", encoding="utf-8")
    return folder
