"""bench/scale.py's generator writes a yes_* folder that the ingest parser accepts, with the
requested songs, every song played, Zipf-like popularity and yes_complete's share of
untagged songs; the same seed writes the same files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.scale import TAG_NAMES, UNTAGGED_SHARE, catalogue_generate
from playlists.parsing import dataset_parse

SONGS = 3_000


def test_generated_catalogue_parses_with_the_requested_shape(tmp_path: Path) -> None:
    summary = catalogue_generate(tmp_path / "a", songs=SONGS, seed=7)
    parsed = dataset_parse(tmp_path / "a")

    assert len(parsed.songs) == SONGS
    assert len(parsed.tags) == TAG_NAMES
    (train,) = parsed.splits
    assert train.entries == summary["entries"] == 25 * SONGS
    plays = np.array([song.play_count for song in parsed.songs])
    assert plays.min() >= 1 and plays.sum() == train.entries
    assert np.array_equal(plays, np.bincount(np.concatenate(train.playlists), minlength=SONGS))
    # Zipf-like: the most played 1% of the songs get far more than 1% of the plays.
    top = np.sort(plays)[::-1]
    assert top[: SONGS // 100].sum() > 0.15 * top.sum()
    assert max(len(playlist) for playlist in train.playlists) <= 448
    tagged = {song for song, _, _ in parsed.song_tags}
    assert abs(1 - len(tagged) / SONGS - UNTAGGED_SHARE) < 0.05
    artists = {song.artist for song in parsed.songs}
    assert len(artists) < SONGS / 2  # artists have several songs

    catalogue_generate(tmp_path / "b", songs=SONGS, seed=7)
    for name in ("train.txt", "song_hash.txt", "tags.txt", "tag_hash.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
