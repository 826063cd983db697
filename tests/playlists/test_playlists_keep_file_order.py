from __future__ import annotations

import pytest

from playlists.ingest import playlists_ingest
from playlists.models import Playlist, Song

SONGS = [(f"Song {i}", f"Artist {i % 3}") for i in range(6)]


@pytest.mark.django_db
def test_playlists_keep_their_order_line_numbers_and_one_song_playlists(yes_folder):
    folder = yes_folder(
        songs=SONGS,
        playlists=[[5, 4, 3], [], [1], [0, 2, 0, 1], []],
        test_playlists=[[2, 3], [4]],
    )

    report = playlists_ingest(source=folder)

    train = Playlist.objects.filter(split="train").order_by("line_number")
    assert [(p.line_number, p.length, list(p.song_ids)) for p in train] == [
        (3, 3, [5, 4, 3]),
        (5, 1, [1]),
        (6, 4, [0, 2, 0, 1]),
    ]
    assert report.playlists == {"train": 3, "test": 2}
    assert report.trainable_playlists == {"train": 2, "test": 1}
    assert report.one_song_playlists == {"train": 1, "test": 1}
    assert report.skipped_empty_lines == {"train": 2, "test": 0}
    assert report.entries == {"train": 8, "test": 3}


@pytest.mark.django_db
def test_play_counts_come_from_line_two_of_train_txt(yes_folder):
    folder = yes_folder(songs=SONGS, playlists=[[5, 4, 3], [5, 5]])

    playlists_ingest(source=folder)

    assert dict(Song.objects.values_list("id", "play_count")) == {
        0: 0,
        1: 0,
        2: 0,
        3: 1,
        4: 1,
        5: 3,
    }
