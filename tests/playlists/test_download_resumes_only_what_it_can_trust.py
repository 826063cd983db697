"""An interrupted download resumes only when the server's answer proves the rest belongs to
the same file; otherwise it starts over. A file whose size cannot be checked, or does not
match, is never used."""

from __future__ import annotations

import os

import pytest

from playlists.download import dataset_download
from playlists.ingest import IngestError, playlists_ingest
from tests.playlists.catalogue_snapshot import catalogue_snapshot
from tests.playlists.local_http import serve_folder
from tests.yes_folder import write_yes_folder

SONGS = [("Billie Jean", "Michael Jackson"), ("Thriller", "Michael Jackson"), ("Hey", "Pixies")]
TRAIN = "/dataset/yes_small/train.txt"


@pytest.fixture
def served(tmp_path):
    return write_yes_folder(
        tmp_path / "served" / "yes_small", songs=SONGS, playlists=[[0, 1, 2]] * 100
    )


def interrupt(served, downloads, **server) -> int:
    """Download with train.txt cut halfway; return the size of the .part left behind."""
    with serve_folder(served, truncate={"train.txt"}, **server) as host, pytest.raises(IngestError):
        dataset_download(base_url=host.base_url, download_dir=downloads)
    return (downloads / "yes_small" / "train.txt.part").stat().st_size


def change_train_txt(served) -> None:
    write_yes_folder(served, songs=SONGS, playlists=[[2, 1, 0]] * 120)
    # Last-Modified counts whole seconds: date the new version clearly apart from the old.
    os.utime(served / "train.txt", (1_000_000_000, 1_000_000_000))


def test_a_server_that_ignores_range_sends_everything_and_the_file_starts_over(
    tmp_path, served
) -> None:
    downloads = tmp_path / "downloads"
    kept = interrupt(served, downloads)

    with serve_folder(served, ignore_range=True) as host:
        folder = dataset_download(base_url=host.base_url, download_dir=downloads)

    assert (TRAIN, f"bytes={kept}-") in host.requests
    assert ("train.txt", 200) in host.statuses
    # Not the first half twice: the whole file once.
    assert (folder / "train.txt").read_bytes() == (served / "train.txt").read_bytes()


def test_with_etags_an_unchanged_file_resumes_and_a_changed_one_starts_over(
    tmp_path, served
) -> None:
    downloads = tmp_path / "downloads"
    interrupt(served, downloads, etag=True)
    with serve_folder(served, etag=True) as host:
        folder = dataset_download(base_url=host.base_url, download_dir=downloads)
    assert ("train.txt", 206) in host.statuses
    assert (folder / "train.txt").read_bytes() == (served / "train.txt").read_bytes()

    # Downloaded before and unchanged: If-None-Match gets a 304 and the bytes stay.
    with serve_folder(served, etag=True) as host:
        dataset_download(base_url=host.base_url, download_dir=downloads)
    assert ("train.txt", 304) in host.statuses

    other = tmp_path / "other"
    interrupt(served, other, etag=True)
    change_train_txt(served)
    with serve_folder(served, etag=True) as host:
        folder = dataset_download(base_url=host.base_url, download_dir=other)
    assert ("train.txt", 200) in host.statuses and ("train.txt", 206) not in host.statuses
    assert (folder / "train.txt").read_bytes() == (served / "train.txt").read_bytes()


@pytest.mark.parametrize("etag", [True, False], ids=["etag", "last-modified"])
def test_a_server_ignoring_if_range_cannot_splice_two_versions_of_a_file(
    tmp_path, served, etag: bool
) -> None:
    downloads = tmp_path / "downloads"
    interrupt(served, downloads, etag=etag)
    change_train_txt(served)

    # It answers the Range with the rest of the *new* file: 206, but another version.
    with serve_folder(served, etag=etag, ignore_if_range=True) as host:
        folder = dataset_download(base_url=host.base_url, download_dir=downloads)

    assert ("train.txt", 206) in host.statuses
    assert (folder / "train.txt").read_bytes() == (served / "train.txt").read_bytes()


def test_a_cut_download_without_content_length_is_refused(tmp_path, served) -> None:
    downloads = tmp_path / "downloads"
    with (
        serve_folder(served, truncate={"train.txt"}, no_length={"train.txt"}) as host,
        pytest.raises(IngestError, match=r"train.txt: .* no Content-Length"),
    ):
        dataset_download(base_url=host.base_url, download_dir=downloads)
    assert not (downloads / "yes_small" / "train.txt").exists()


@pytest.mark.django_db
def test_an_ingest_whose_download_is_cut_changes_nothing(tmp_path, served, settings) -> None:
    settings.RECOMMENDER_DOWNLOAD_DIR = tmp_path / "downloads"
    with serve_folder(served) as host:
        playlists_ingest(source=host.base_url)
    before = catalogue_snapshot()
    change_train_txt(served)

    with serve_folder(served, truncate={"train.txt"}) as host, pytest.raises(IngestError):
        playlists_ingest(source=host.base_url)

    assert catalogue_snapshot() == before
    # The earlier complete train.txt is still there; the cut one only as .part.
    folder = settings.RECOMMENDER_DOWNLOAD_DIR / "yes_small"
    assert (folder / "train.txt").read_bytes() != (served / "train.txt").read_bytes()
    assert (folder / "train.txt.part").exists()

    with serve_folder(served) as host:
        playlists_ingest(source=host.base_url)
    assert (folder / "train.txt").read_bytes() == (served / "train.txt").read_bytes()
    assert catalogue_snapshot() != before
