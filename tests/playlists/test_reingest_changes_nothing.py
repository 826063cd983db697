from __future__ import annotations

import pytest

from playlists.ingest import playlists_ingest
from playlists.models import SongTag
from tests.playlists.catalogue_snapshot import catalogue_snapshot

SONGS = [("Billie Jean", "Michael Jackson"), ("Thriller", "Michael Jackson"), ("Hey", "Pixies")]
PLAYLISTS = [[0, 1, 2], [2, 1], [], [0]]


@pytest.mark.django_db
def test_second_ingest_of_the_same_folder_changes_no_row(yes_folder):
    folder = yes_folder(
        songs=SONGS, playlists=PLAYLISTS, tag_names=["pop", "rock"], song_tags={0: [0], 2: [1, 0]}
    )
    first = playlists_ingest(source=folder)
    before = catalogue_snapshot()

    second = playlists_ingest(source=folder)

    assert first.changed and first.created > 0
    assert not second.changed
    assert (second.created, second.updated, second.deleted) == (0, 0, 0)
    assert catalogue_snapshot() == before
    assert (second.songs, second.tags, second.playlists) == (3, 2, {"train": 3})


@pytest.mark.django_db
def test_ingest_restores_rows_removed_behind_its_back_and_then_rests(yes_folder):
    folder = yes_folder(
        songs=SONGS, playlists=PLAYLISTS, tag_names=["pop", "rock"], song_tags={0: [0], 2: [1, 0]}
    )
    playlists_ingest(source=folder)
    SongTag.objects.filter(song_id=2, tag_id=0).delete()

    repair = playlists_ingest(source=folder)
    after_repair = catalogue_snapshot()
    rest = playlists_ingest(source=folder)

    assert repair.changes["song_tag"].created == 1
    assert SongTag.objects.get(song_id=2, tag_id=0).rank == 1
    assert not rest.changed
    assert catalogue_snapshot() == after_repair
