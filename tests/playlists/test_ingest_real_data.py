"""The real yes_complete folder: the counts the data set is known for, and an idempotent rerun."""

from __future__ import annotations

import pytest

from playlists.ingest import playlists_ingest
from playlists.models import Playlist, Song, SongTag, Tag
from tests.playlists.catalogue_snapshot import catalogue_snapshot


@pytest.mark.realdata
@pytest.mark.django_db
def test_real_data_set_ingests_with_its_known_counts_and_a_rerun_changes_nothing(real_data_dir):
    report = playlists_ingest(source=real_data_dir)

    assert (Song.objects.count(), Tag.objects.count()) == (75_262, 250)
    assert Playlist.objects.filter(split="train").count() == 11_093
    assert Playlist.objects.filter(split="train", length__gte=2).count() == 11_088
    assert sum(len(p.song_ids) for p in Playlist.objects.all()) == 1_887_938
    assert (report.songs, report.tags) == (75_262, 250)
    assert report.playlists == {"train": 11_093}
    assert report.trainable_playlists == {"train": 11_088}
    assert report.entries == {"train": 1_887_938}
    assert report.skipped_empty_lines == {"train": 44}
    assert report.song_tags == SongTag.objects.count()
    billie_jean = Song.objects.get(id=3822)
    assert (billie_jean.title, billie_jean.artist) == ("Billie Jean", "Michael Jackson")
    assert Song.objects.get(id=50119).title == "The Needle & The Spoon"
    assert Song.objects.get(id=842).title == "California Love (w/ Dr. Dre & Roger Troutman)"
    before = catalogue_snapshot()

    rerun = playlists_ingest(source=real_data_dir)

    assert not rerun.changed
    assert catalogue_snapshot() == before
