"""Downloading the data set from an http(s) address (a real server on loopback)."""

from __future__ import annotations

import os

import pytest

from playlists.download import dataset_download
from playlists.ingest import IngestError, playlists_ingest
from playlists.models import Playlist, Song
from tests.playlists.local_http import serve_folder
from tests.yes_folder import write_yes_folder

SONGS = [("Billie Jean", "Michael Jackson"), ("Thriller", "Michael Jackson"), ("Hey", "Pixies")]


@pytest.mark.django_db
def test_ingest_from_a_url_downloads_the_files_then_reads_them(tmp_path, settings):
    settings.RECOMMENDER_DOWNLOAD_DIR = tmp_path / "downloads"
    served = write_yes_folder(
        tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1], [2]]
    )

    with serve_folder(served) as host:
        report = playlists_ingest(source=host.base_url)

    folder = settings.RECOMMENDER_DOWNLOAD_DIR / "yes_small"
    for name in ("song_hash.txt", "tags.txt", "tag_hash.txt", "train.txt"):
        assert (folder / name).read_bytes() == (served / name).read_bytes()
    assert not (folder / "test.txt").exists()  # the server answered 404: fine
    assert not list(folder.glob("*.part"))
    assert report.dataset == "yes_small"
    assert report.playlists == {"train": 2}
    assert Song.objects.get(id=0).title == "Billie Jean"


@pytest.mark.django_db
def test_test_txt_on_the_server_is_downloaded_and_ingested(tmp_path, settings):
    settings.RECOMMENDER_DOWNLOAD_DIR = tmp_path / "downloads"
    served = write_yes_folder(
        tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1]], test_playlists=[[2, 1]]
    )

    with serve_folder(served) as host:
        playlists_ingest(source=host.base_url)

    assert list(Playlist.objects.get(split="test").song_ids) == [2, 1]


def test_truncated_file_is_an_error_naming_it_and_never_lands_under_its_name(tmp_path):
    served = write_yes_folder(
        tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1, 2]] * 100
    )

    with serve_folder(served, truncate={"train.txt"}) as host, pytest.raises(IngestError) as raised:
        dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")

    size = (served / "train.txt").stat().st_size
    assert f"train.txt: download from {host.base_url}train.txt is truncated" in str(raised.value)
    assert f"received {size // 2} of {size} bytes" in str(raised.value)
    assert not (tmp_path / "downloads" / "yes_small" / "train.txt").exists()


def test_an_interrupted_download_resumes_with_a_range_request(tmp_path):
    served = write_yes_folder(
        tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1, 2]] * 100
    )
    with serve_folder(served, truncate={"train.txt"}) as host, pytest.raises(IngestError):
        dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")
    part = tmp_path / "downloads" / "yes_small" / "train.txt.part"
    kept = part.stat().st_size

    with serve_folder(served) as host:
        folder = dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")

    assert ("/dataset/yes_small/train.txt", f"bytes={kept}-") in host.requests
    assert (folder / "train.txt").read_bytes() == (served / "train.txt").read_bytes()
    assert not part.exists()


def test_a_part_left_from_an_older_version_of_the_file_is_not_resumed(tmp_path):
    served = write_yes_folder(
        tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1, 2]] * 100
    )
    with serve_folder(served, truncate={"train.txt"}) as host, pytest.raises(IngestError):
        dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")
    write_yes_folder(served, songs=SONGS, playlists=[[2, 1, 0]] * 120)
    os.utime(served / "train.txt", (1_000_000_000, 1_000_000_000))

    with serve_folder(served) as host:
        folder = dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")

    assert (folder / "train.txt").read_bytes() == (served / "train.txt").read_bytes()


def test_files_unchanged_on_the_server_are_not_downloaded_again(tmp_path):
    served = write_yes_folder(tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1]])
    with serve_folder(served) as host:
        dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")
    # Only train.txt changes on the server (the others keep their bytes and dates).
    changed = write_yes_folder(tmp_path / "changed", songs=SONGS, playlists=[[1, 0], [2, 1]])
    (served / "train.txt").write_bytes((changed / "train.txt").read_bytes())
    os.utime(served / "train.txt", (1_000_000_000, 1_000_000_000))

    with serve_folder(served) as host:
        folder = dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")

    assert ("song_hash.txt", 304) in host.statuses and ("tags.txt", 304) in host.statuses
    assert ("train.txt", 304) not in host.statuses
    for name in ("song_hash.txt", "tags.txt", "tag_hash.txt", "train.txt"):
        assert (folder / name).read_bytes() == (served / name).read_bytes()


def test_unreachable_server_is_a_clear_error(tmp_path):
    with serve_folder(tmp_path) as host:
        url = host.base_url  # the server is gone once the block ends

    with pytest.raises(IngestError, match=r"song_hash.txt: download from .* failed"):
        dataset_download(base_url=url, download_dir=tmp_path / "downloads")


def test_a_required_file_missing_on_the_server_is_an_error_naming_it(tmp_path):
    served = write_yes_folder(tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1]])
    (served / "tags.txt").unlink()

    with serve_folder(served) as host, pytest.raises(IngestError, match=r"tags.txt: .* HTTP 404"):
        dataset_download(base_url=host.base_url, download_dir=tmp_path / "downloads")
