"""Rows that stand for no song ("MG_DELETED" by "-", "-" by "-") are flagged at ingest, never
found by search, and never recommended; a real title by an unknown artist stays a song."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from playlists.ingest import playlists_ingest
from playlists.models import Song
from playlists.selectors import song_search
from recommender import serving, training
from recommender.models import ModelVersion
from tests.yes_folder import write_yes_folder

pytestmark = pytest.mark.django_db

SONGS = [(f"Song {n}", f"Artist {n}") for n in range(20)]
PLACEHOLDERS = {20: ("MG_DELETED", "-"), 21: ("-", "-")}
UNKNOWN_ARTIST = 22  # "Papa Was A Rolling Stone" by "-"


def _ingest(tmp_path: Path) -> None:
    songs = [*SONGS, *PLACEHOLDERS.values(), ("Papa Was A Rolling Stone", "-")]
    # The placeholders sit inside every playlist, so the model sees them next to everything.
    playlists = [[n, 20, (n + 1) % 20, 21, (n + 2) % 20, 22] for n in range(20)] * 3
    playlists_ingest(source=str(write_yes_folder(tmp_path, songs=songs, playlists=playlists)))


def test_ingest_flags_placeholder_rows_only(tmp_path: Path) -> None:
    _ingest(tmp_path)
    flagged = set(Song.objects.filter(is_placeholder=True).values_list("id", flat=True))
    assert flagged == set(PLACEHOLDERS)


def test_search_never_finds_a_placeholder(tmp_path: Path) -> None:
    _ingest(tmp_path)
    for query in ("_", "MG_DELETED", "deleted", "-"):
        songs, _ = song_search(query=query)
        assert not {song.id for song in songs} & set(PLACEHOLDERS), query
    assert [song.id for song in song_search(query="papa")[0]] == [UNKNOWN_ARTIST]


def test_recommendations_never_include_a_placeholder(tmp_path: Path, settings) -> None:
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 0
    settings.RECOMMENDER_API_RATE_LIMIT = 0
    _ingest(tmp_path / "data")
    version = ModelVersion.objects.create(
        vector_size=8, window=2, negative=3, epochs=5, min_count=1, sample=0, seed=1,
        activate_when_done=ModelVersion.Activation.NEVER,
    )  # fmt: skip
    training.training_run_execute(version_id=version.id)
    training.model_version_activate(version_id=version.id)
    serving.serving_reset()
    try:
        client = Client()
        for seed in range(20):
            similar = client.get(f"/api/songs/{seed}/similar", {"k": "20"}).json()
            found = {item["song"]["id"] for item in similar["results"]}
            assert not found & set(PLACEHOLDERS), seed
            assert UNKNOWN_ARTIST in found or len(found) == 20
        body = {"seeds": [0, 1, 2], "k": 20}
        answer = client.post("/api/recommendations", body, content_type="application/json")
        assert not {item["song"]["id"] for item in answer.json()["results"]} & set(PLACEHOLDERS)
    finally:
        serving.serving_reset()
