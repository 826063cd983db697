from __future__ import annotations

import logging
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from playlists.models import Song
from tests.playlists.local_http import serve_folder

SONGS = [("Billie Jean", "Michael Jackson"), ("Thriller", "Michael Jackson"), ("Hey", "Pixies")]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest_playlists", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_ingests_and_prints_a_summary_then_says_unchanged(yes_folder):
    folder = yes_folder(songs=SONGS, playlists=[[0, 1, 2], [], [1]], tag_names=["pop"])

    first, progress = run("--source", str(folder))
    second, _ = run("--source", str(folder))

    assert "songs: 3\n" in first
    assert "tags: 1 (0 song tags)" in first
    assert (
        "train playlists: 2 (1 with 2 or more songs, 1 with one song), 4 entries, "
        "1 empty lines skipped"
    ) in first
    assert "changed: " in first and "song: +3 ~0 -0" in first
    assert "seconds: " in first
    assert "reading train.txt" in progress
    assert "unchanged: the catalogue already matches this data set, nothing written" in second
    assert Song.objects.count() == 3


@pytest.mark.django_db
def test_the_summary_is_logged_as_well_as_printed(yes_folder, caplog):
    folder = yes_folder(songs=SONGS, playlists=[[0, 1, 2], [1, 2]])

    with caplog.at_level(logging.INFO, logger="playlists.ingest"):
        printed, _ = run("--source", str(folder))

    (record,) = [r for r in caplog.records if r.name == "playlists.ingest"]
    for line in printed.splitlines():
        assert line in record.getMessage()
    created = int(re.search(r"changed: ([0-9,]+) rows created", printed)[1].replace(",", ""))
    assert (record.songs, record.rows_created, record.rows_deleted) == (3, created, 0)
    assert record.playlists == {"train": 2}


@pytest.mark.django_db
def test_command_reads_the_source_from_the_setting_by_default(yes_folder, settings):
    settings.RECOMMENDER_DATA_SOURCE = str(yes_folder(songs=SONGS, playlists=[[0, 1]]))

    out, _ = run()

    assert "songs: 3\n" in out


@pytest.mark.django_db
def test_command_turns_a_malformed_file_into_a_one_line_error(yes_folder):
    folder = yes_folder(songs=SONGS, playlists=[[0, 1]])
    (folder / "train.txt").write_text("1 2 3\n1 1 0\n0 7\n", encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        run("--source", str(folder))

    message = str(raised.value)
    assert message == ("ingest failed: train.txt line 3: song id 7 is not in song_hash.txt (0..2)")
    assert Song.objects.count() == 0


def test_an_unreachable_source_says_in_one_line_how_to_ingest_offline(tmp_path: Path) -> None:
    with serve_folder(tmp_path) as host:
        url = host.base_url  # nothing listens there once the block ends
    with pytest.raises(CommandError) as failed:
        call_command("ingest_playlists", source=url, stdout=StringIO(), stderr=StringIO())
    message = str(failed.value)
    assert "\n" not in message
    assert "--source DIR" in message and "RECOMMENDER_DATA_SOURCE=DIR" in message
    assert url in message
