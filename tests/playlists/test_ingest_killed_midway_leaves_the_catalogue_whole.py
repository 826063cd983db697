"""`manage.py ingest_playlists` killed (SIGKILL) inside its transaction leaves the catalogue
exactly as it was; run again, it finishes and the catalogue equals a clean ingest.

The ingest runs as a real subprocess on the test database. It is stopped (SIGSTOP) when it
reports its first stage inside the transaction, which by then has already deleted the
previous data set's playlists; the test then checks that the process holds the database's
write lock (so it is mid-transaction, not done) and kills it.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from playlists.ingest import playlists_ingest
from playlists.models import Dataset, Playlist, Song, SongTag, Tag
from tests.database_url import database_url_for_subprocess
from tests.playlists.catalogue_snapshot import catalogue_content, catalogue_snapshot
from tests.yes_folder import write_yes_folder

REPO_ROOT = Path(__file__).resolve().parents[2]
# The first progress line the command writes inside its transaction.
INSIDE_THE_TRANSACTION = "syncing songs and tags"


def big_folder(folder: Path, *, songs: int, playlists: int, seed: int) -> Path:
    """Enough rows that the transaction lasts a good fraction of a second on both databases."""
    rng = random.Random(seed)
    return write_yes_folder(
        folder,
        songs=[(f"Song {seed}-{i}", f"Artist {i % 300}") for i in range(songs)],
        playlists=[[rng.randrange(songs) for _ in range(10)] for _ in range(playlists)],
        tag_names=[f"tag {seed}-{i}" for i in range(40)],
        song_tags={i: sorted({rng.randrange(40) for _ in range(3)}) for i in range(songs)},
    )


def ingest_command(folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess(), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "ingest_playlists", "--source", str(folder)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def holds_the_ingest_lock() -> bool:
    """Whether another process is inside an ingest transaction right now."""
    if connection.vendor == "postgresql":
        # The ingest takes this advisory lock for its whole transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext('playlists_ingest'))")
            free = cursor.fetchone()[0]
            if free:
                cursor.execute("SELECT pg_advisory_unlock(hashtext('playlists_ingest'))")
        return not free
    # SQLite: the ingest's BEGIN IMMEDIATE holds the one write lock until it commits.
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return False
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return True
    finally:
        probe.close()


def kill_inside_the_transaction(process: subprocess.Popen[str]) -> str:
    """Stop the process at its first stage inside the transaction, check, SIGKILL it."""
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if INSIDE_THE_TRANSACTION in line:
            process.send_signal(signal.SIGSTOP)
            break
    else:
        process.wait()
        pytest.fail(f"the ingest ended before {INSIDE_THE_TRANSACTION!r}:\n{''.join(seen)}")
    try:
        assert holds_the_ingest_lock(), "the ingest was already past its transaction"
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    return "".join(seen)


def wipe_catalogue() -> None:
    for model in (SongTag, Playlist, Dataset, Song, Tag):
        model.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_an_ingest_killed_midway_changes_nothing_and_a_rerun_finishes_it(
    tmp_path: Path,
) -> None:
    old = big_folder(tmp_path / "yes_old", songs=6000, playlists=20_000, seed=1)
    new = big_folder(tmp_path / "yes_new", songs=8000, playlists=30_000, seed=2)
    # What the catalogue must be in the end: `new` ingested into an empty database.
    playlists_ingest(source=new)
    clean = catalogue_content()
    wipe_catalogue()
    playlists_ingest(source=old)
    before = catalogue_snapshot()

    with ingest_command(new) as killed:
        progress = kill_inside_the_transaction(killed)

    assert "reading train.txt" in progress
    assert catalogue_snapshot() == before  # not one row of the killed run is visible

    with ingest_command(new) as rerun:
        out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "rows created" in out
    assert catalogue_content() == clean
    assert list(Dataset.objects.values_list("name", flat=True)) == ["yes_new"]
