from __future__ import annotations

import pytest

from playlists.ingest import playlists_ingest
from playlists.models import Dataset, Playlist, Song, SongTag, Tag
from tests.playlists.catalogue_snapshot import catalogue_content
from tests.yes_folder import write_yes_folder

OLD = {
    "songs": [
        ("Billie Jean", "Michael Jackson"),
        ("Thriler", "Michael Jackson"),
        ("Hey", "Pixies"),
    ],
    "playlists": [[0, 1, 2], [2, 1], [1, 0], [0]],
    "tag_names": ["pop", "rock"],
    "song_tags": {0: [0], 1: [0, 1], 2: [1]},
}
NEW = {
    # song 1's title fixed, song 3 added; tags re-ranked, one removed, one tag added;
    # playlist 2 changed, playlist 3 gone, a test split appears.
    "songs": [
        ("Billie Jean", "Michael Jackson"),
        ("Thriller", "Michael Jackson"),
        ("Hey", "Pixies"),
        ("Debaser", "Pixies"),
    ],
    "playlists": [[0, 1, 2], [2, 3, 1], [1, 0]],
    "tag_names": ["pop", "rock", "indie"],
    "song_tags": {0: [0], 1: [1, 0], 3: [2, 1]},
    "test_playlists": [[3, 2]],
}


@pytest.mark.django_db
def test_ingest_of_a_changed_folder_makes_the_catalogue_match_it(tmp_path):
    folder = write_yes_folder(tmp_path / "yes_small", **OLD)
    playlists_ingest(source=folder)
    write_yes_folder(tmp_path / "yes_small", **NEW)

    report = playlists_ingest(source=folder)

    assert report.changed
    assert report.changes["song"].created == 1
    assert report.changes["tag"].created == 1
    assert report.changes["song_tag"].updated == 2  # song 1's two tags swapped ranks
    assert report.changes["playlist"].deleted == 1 and report.changes["playlist"].updated == 1
    assert Song.objects.get(id=1).title == "Thriller"
    assert list(
        SongTag.objects.filter(song_id=1).order_by("rank").values_list("tag_id", flat=True)
    ) == [1, 0]
    assert not SongTag.objects.filter(song_id=2).exists()
    assert list(Playlist.objects.get(split="train", line_number=4).song_ids) == [2, 3, 1]
    assert list(Playlist.objects.get(split="test", line_number=3).song_ids) == [3, 2]
    assert not Playlist.objects.filter(split="train", line_number=6).exists()
    # The same rows as a first ingest of the new folder into an empty catalogue.
    synced = catalogue_content()
    Dataset.objects.all().delete()
    Song.objects.all().delete()
    Tag.objects.all().delete()
    playlists_ingest(source=folder)
    assert catalogue_content() == synced


@pytest.mark.django_db
def test_changed_folder_with_fewer_songs_removes_them_and_a_rerun_rests(tmp_path):
    folder = write_yes_folder(tmp_path / "yes_small", **NEW)
    playlists_ingest(source=folder)
    write_yes_folder(tmp_path / "yes_small", **OLD)
    (folder / "test.txt").unlink()

    report = playlists_ingest(source=folder)
    rerun = playlists_ingest(source=folder)

    assert report.changes["song"].deleted == 1 and report.changes["tag"].deleted == 1
    assert not Song.objects.filter(id=3).exists()
    assert not Playlist.objects.filter(split="test").exists()
    assert report.playlists == {"train": 4}
    assert not rerun.changed


@pytest.mark.django_db
def test_ingesting_another_data_set_replaces_the_previous_ones_playlists(tmp_path):
    playlists_ingest(source=write_yes_folder(tmp_path / "yes_small", **OLD))

    report = playlists_ingest(source=write_yes_folder(tmp_path / "yes_big", **NEW))

    assert list(Dataset.objects.values_list("name", flat=True)) == ["yes_big"]
    assert set(Playlist.objects.values_list("dataset__name", flat=True)) == {"yes_big"}
    assert report.changes["dataset"].deleted == 1
    assert Playlist.objects.count() == 4
