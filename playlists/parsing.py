"""Reading a yes_* folder into memory, validating every line before anything is written.

The format (yes_small, yes_big and yes_complete share it):
  song_hash.txt  `id<space?>\\ttitle\\tartist`, ids 0..n-1 in order
  tags.txt       line N holds the tag ids of song N-1 (space-separated) or `#`
  tag_hash.txt   `id, name`, ids 0..m-1 in order
  train.txt      line 1: one Yes.com hash per song; line 2: plays per song;
                 from line 3: one playlist per line, song ids separated by spaces
  test.txt       (optional) the same layout as train.txt
Every problem raises IngestError naming the file and the 1-based line number.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playlists.models import PLAYLIST_DTYPE
from playlists.text import clean_display_text, is_placeholder, search_key

SONG_FILE = "song_hash.txt"
TAGS_FILE = "tags.txt"
TAG_NAMES_FILE = "tag_hash.txt"
TRAIN_FILE = "train.txt"
TEST_FILE = "test.txt"
REQUIRED_FILES = (SONG_FILE, TAGS_FILE, TAG_NAMES_FILE, TRAIN_FILE)
OPTIONAL_FILES = (TEST_FILE,)
SPLIT_FILES = {"train": TRAIN_FILE, "test": TEST_FILE}
# Playlist lines start after the two header lines (hashes, play counts).
FIRST_PLAYLIST_LINE = 3


class IngestError(Exception):
    """The data set cannot be ingested; the message names the file (and line) at fault."""


@dataclass(frozen=True, slots=True)
class ParsedSong:
    id: int
    title: str
    artist: str
    search_text: str
    play_count: int
    is_placeholder: bool


@dataclass(frozen=True, slots=True)
class ParsedSplit:
    """The non-empty playlists of one split file, in file order."""

    name: str
    line_numbers: tuple[int, ...]
    playlists: tuple[np.ndarray, ...]
    skipped_empty_lines: int

    @property
    def entries(self) -> int:
        return sum(len(playlist) for playlist in self.playlists)

    @property
    def one_song_playlists(self) -> int:
        return sum(1 for playlist in self.playlists if len(playlist) == 1)


@dataclass(frozen=True, slots=True)
class ParsedDataset:
    """Everything in a yes_* folder, validated. song_tags are (song id, tag id, rank)."""

    folder: Path
    songs: tuple[ParsedSong, ...]
    tags: tuple[tuple[int, str], ...]
    song_tags: tuple[tuple[int, int, int], ...]
    splits: tuple[ParsedSplit, ...]


def dataset_files(folder: Path) -> list[Path]:
    """The data files of a folder, required ones first; raises IngestError if one is missing."""
    if not folder.is_dir():
        raise IngestError(f"{folder}: not a folder (expected a yes_* folder or an http(s) URL)")
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            raise IngestError(
                f"{name}: missing from {folder} (required: {', '.join(REQUIRED_FILES)})"
            )
    return [
        folder / name for name in (*REQUIRED_FILES, *OPTIONAL_FILES) if (folder / name).is_file()
    ]


def dataset_fingerprint(files: list[Path]) -> str:
    """SHA-256 over each file's name, size and bytes: any edit, added or removed file shows."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def dataset_parse(folder: Path, *, stage: Callable[[str], None] | None = None) -> ParsedDataset:
    """Read and validate every file of a yes_* folder; nothing is written anywhere."""
    stage = stage or (lambda message: None)
    dataset_files(folder)
    stage(f"reading {SONG_FILE}")
    raw_songs = _read_songs(folder / SONG_FILE)
    stage(f"reading {TAG_NAMES_FILE}")
    tags = _read_tag_names(folder / TAG_NAMES_FILE)
    stage(f"reading {TAGS_FILE}")
    song_tags = _read_song_tags(folder / TAGS_FILE, song_count=len(raw_songs), tag_count=len(tags))
    splits = []
    play_counts: np.ndarray | None = None
    for split, name in SPLIT_FILES.items():
        path = folder / name
        if not path.is_file():
            continue
        stage(f"reading {name}")
        counts, parsed = _read_split(path, split=split, song_count=len(raw_songs))
        if split == "train":
            play_counts = counts
        splits.append(parsed)
    assert play_counts is not None  # train.txt is required, dataset_files checked it
    songs = tuple(
        ParsedSong(
            id=song_id,
            title=title,
            artist=artist,
            search_text=search_key(f"{title} {artist}"),
            play_count=int(plays),
            is_placeholder=is_placeholder(title=title, artist=artist),
        )
        for (song_id, title, artist), plays in zip(raw_songs, play_counts.tolist(), strict=True)
    )
    return ParsedDataset(
        folder=folder, songs=songs, tags=tags, song_tags=song_tags, splits=tuple(splits)
    )


def _lines(path: Path) -> list[str]:
    """The file's lines, decoded as strict UTF-8 (an error names the line holding the bytes)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise IngestError(
            f"{path.name} line {line}: bytes that are not UTF-8 "
            f"({data[error.start : error.start + 4]!r}); the data set files are UTF-8"
        ) from None
    # A byte-order mark (left by some Windows editors) is not part of the first value.
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it does not start a new one
    # Files edited on Windows end lines with CR LF; the CR is not part of the data.
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _int(token: str, *, where: str, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise IngestError(f"{where}: {what} {token!r} is not an integer") from None


def _read_songs(path: Path) -> list[tuple[int, str, str]]:
    songs = []
    for index, line in enumerate(_lines(path)):
        where = f"{path.name} line {index + 1}"
        columns = line.split("\t")
        if len(columns) != 3:
            raise IngestError(
                f"{where}: expected 3 tab-separated columns (id, title, artist), "
                f"found {len(columns)}"
            )
        # The real file writes "123 \ttitle": the id may carry a space before the TAB.
        song_id = _int(columns[0].strip(), where=where, what="song id")
        if song_id != index:
            raise IngestError(f"{where}: song id {song_id} out of order (expected {index})")
        songs.append((song_id, clean_display_text(columns[1]), clean_display_text(columns[2])))
    if not songs:
        raise IngestError(f"{path.name}: no songs")
    return songs


def _read_tag_names(path: Path) -> tuple[tuple[int, str], ...]:
    tags = []
    for index, line in enumerate(_lines(path)):
        where = f"{path.name} line {index + 1}"
        tag_id_text, comma, name = line.partition(",")
        if not comma:
            raise IngestError(f"{where}: expected 'id, name', found {line!r}")
        tag_id = _int(tag_id_text.strip(), where=where, what="tag id")
        if tag_id != index:
            raise IngestError(f"{where}: tag id {tag_id} out of order (expected {index})")
        tags.append((tag_id, clean_display_text(name)))
    return tuple(tags)


def _read_song_tags(
    path: Path, *, song_count: int, tag_count: int
) -> tuple[tuple[int, int, int], ...]:
    lines = _lines(path)
    if len(lines) != song_count:
        first_wrong = min(len(lines), song_count) + 1
        raise IngestError(
            f"{path.name} line {first_wrong}: tags.txt must have one line per song of {SONG_FILE} "
            f"({song_count} lines), it has {len(lines)}"
        )
    rows: list[tuple[int, int, int]] = []
    for song_id, line in enumerate(lines):
        text = line.strip()
        if text == "#":
            continue
        where = f"{path.name} line {song_id + 1}"
        tokens = text.split()
        if not tokens:
            raise IngestError(f"{where}: empty line (a song without tags is written '#')")
        try:
            tag_ids = [int(token) for token in tokens]
        except ValueError:
            bad = next(token for token in tokens if not _is_int(token))
            raise IngestError(f"{where}: tag id {bad!r} is not an integer") from None
        for tag_id in tag_ids:
            if not 0 <= tag_id < tag_count:
                raise IngestError(
                    f"{where}: tag id {tag_id} is not in {TAG_NAMES_FILE} (0..{tag_count - 1})"
                )
        if len(set(tag_ids)) != len(tag_ids):
            raise IngestError(f"{where}: a tag id is listed twice ({text})")
        rows.extend((song_id, tag_id, rank) for rank, tag_id in enumerate(tag_ids))
    return tuple(rows)


def _is_int(token: str) -> bool:
    try:
        int(token)
    except ValueError:
        return False
    return True


def _int_array(tokens: list[str], *, where: str, what: str) -> np.ndarray:
    try:
        return np.array(tokens, dtype=np.int64)
    except ValueError:
        bad = next(token for token in tokens if not _is_int(token))
        raise IngestError(f"{where}: {what} {bad!r} is not an integer") from None
    except OverflowError:
        huge = next(token for token in tokens if abs(int(token)) >= 2**63)
        raise IngestError(f"{where}: {what} {huge} is out of range") from None


def _read_split(path: Path, *, split: str, song_count: int) -> tuple[np.ndarray, ParsedSplit]:
    """(play count per song from line 2, the split's playlists)."""
    lines = _lines(path)
    if len(lines) < 2:
        raise IngestError(
            f"{path.name} line {len(lines) + 1}: missing header line "
            "(line 1 holds the song hashes, line 2 the play counts)"
        )
    for number, what in ((1, "song hash"), (2, "play count")):
        tokens = lines[number - 1].split()
        if len(tokens) != song_count:
            raise IngestError(
                f"{path.name} line {number}: expected one {what} per song of {SONG_FILE} "
                f"({song_count}), found {len(tokens)}"
            )
        values = _int_array(tokens, where=f"{path.name} line {number}", what=what)
        if number == 2:
            if (values < 0).any():
                raise IngestError(f"{path.name} line 2: play counts cannot be negative")
            play_counts = values
    line_numbers = []
    playlists = []
    skipped = 0
    for offset, line in enumerate(lines[FIRST_PLAYLIST_LINE - 1 :]):
        number = FIRST_PLAYLIST_LINE + offset
        tokens = line.split()
        if not tokens:
            skipped += 1
            continue
        where = f"{path.name} line {number}"
        song_ids = _int_array(tokens, where=where, what="song id")
        outside = (song_ids < 0) | (song_ids >= song_count)
        if outside.any():
            bad = int(song_ids[outside.argmax()])
            raise IngestError(f"{where}: song id {bad} is not in {SONG_FILE} (0..{song_count - 1})")
        line_numbers.append(number)
        playlists.append(song_ids.astype(PLAYLIST_DTYPE))
    parsed = ParsedSplit(
        name=split,
        line_numbers=tuple(line_numbers),
        playlists=tuple(playlists),
        skipped_empty_lines=skipped,
    )
    return play_counts, parsed
