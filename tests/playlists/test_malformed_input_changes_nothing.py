"""Each malformed input stops the ingest with a message naming file and line; nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from playlists.ingest import IngestError, playlists_ingest
from tests.playlists.catalogue_snapshot import catalogue_snapshot
from tests.playlists.local_http import serve_folder
from tests.yes_folder import write_yes_folder

SONGS = [("Billie Jean", "Michael Jackson"), ("Thriller", "Michael Jackson"), ("Hey", "Pixies")]
GOOD = {
    "songs": SONGS,
    "playlists": [[0, 1, 2], [2, 1], [1, 0]],
    "tag_names": ["pop", "rock"],
    "song_tags": {0: [0], 2: [1, 0]},
}


def replace_line(name: str, number: int, text: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        lines = (folder / name).read_text(encoding="utf-8").split("\n")
        lines[number - 1] = text
        (folder / name).write_text("\n".join(lines), encoding="utf-8")

    return edit


def replace_bytes(name: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        (folder / name).write_bytes((folder / name).read_bytes().replace(old, new))

    return edit


def remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


CASES = {
    "bad line (a word in a playlist)": (
        replace_line("train.txt", 4, "2 one 1"),
        "train.txt line 4: song id 'one' is not an integer",
    ),
    "unknown song id in a playlist": (
        replace_line("train.txt", 5, "1 0 99999"),
        "train.txt line 5: song id 99999 is not in song_hash.txt (0..2)",
    ),
    "a song id too large for any integer type": (
        replace_line("train.txt", 3, "0 99999999999999999999"),
        "train.txt line 3: song id 99999999999999999999 is out of range",
    ),
    "wrong column count": (
        replace_line("song_hash.txt", 2, "1 \tThriller"),
        "song_hash.txt line 2: expected 3 tab-separated columns (id, title, artist), found 2",
    ),
    "non-UTF-8 bytes": (
        replace_bytes("song_hash.txt", b"Pixies", b"Pix\xe9es"),
        "song_hash.txt line 3: bytes that are not UTF-8",
    ),
    "missing required file": (remove("tags.txt"), "tags.txt: missing from"),
    "unknown tag id": (
        replace_line("tags.txt", 3, "1 7"),
        "tags.txt line 3: tag id 7 is not in tag_hash.txt (0..1)",
    ),
    "song ids out of order": (
        replace_line("song_hash.txt", 2, "5 \tThriller\tMichael Jackson"),
        "song_hash.txt line 2: song id 5 out of order (expected 1)",
    ),
    "tags.txt shorter than song_hash.txt": (
        lambda folder: (folder / "tags.txt").write_text("0\n#\n", encoding="utf-8"),
        "tags.txt line 3: tags.txt must have one line per song of song_hash.txt (3 lines), "
        "it has 2",
    ),
    "play counts line too short": (
        replace_line("train.txt", 2, "1 1"),
        "train.txt line 2: expected one play count per song of song_hash.txt (3), found 2",
    ),
    "tag_hash.txt line without a comma": (
        replace_line("tag_hash.txt", 2, "1 rock"),
        "tag_hash.txt line 2: expected 'id, name'",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("edit, message", CASES.values(), ids=CASES.keys())
def test_malformed_folder_is_rejected_and_the_catalogue_is_untouched(tmp_path, edit, message):
    folder = write_yes_folder(tmp_path / "yes_small", **GOOD)
    playlists_ingest(source=folder)
    # The same folder, now with one defect and otherwise different content, must not leak in.
    write_yes_folder(folder, **{**GOOD, "songs": [(t.upper(), a) for t, a in SONGS]})
    edit(folder)
    before = catalogue_snapshot()

    with pytest.raises(IngestError) as raised:
        playlists_ingest(source=folder)

    assert message in str(raised.value)
    assert catalogue_snapshot() == before


@pytest.mark.django_db
def test_truncated_download_is_rejected_and_the_catalogue_is_untouched(tmp_path, settings):
    settings.RECOMMENDER_DOWNLOAD_DIR = tmp_path / "downloads"
    playlists_ingest(source=write_yes_folder(tmp_path / "first" / "yes_small", **GOOD))
    served = write_yes_folder(
        tmp_path / "served" / "yes_small", **{**GOOD, "playlists": [[0, 1, 2, 1, 0]] * 50}
    )
    before = catalogue_snapshot()

    with (
        serve_folder(served, truncate={"train.txt"}) as host,
        pytest.raises(IngestError) as raised,
    ):
        playlists_ingest(source=host.base_url)

    assert "train.txt: download from" in str(raised.value)
    assert "is truncated: received" in str(raised.value)
    assert not (settings.RECOMMENDER_DOWNLOAD_DIR / "yes_small" / "train.txt").exists()
    assert catalogue_snapshot() == before
