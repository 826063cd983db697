"""The popular fallback's "same tags" are specific tags: a tag on most songs matches nothing.

As with U2's "Surrender" (rock, classic rock, 80s): every song here is tagged rock, so the
songs offered as sharing its tags must be the classic rock and 80s ones, not any popular song.
"""

from __future__ import annotations

import pytest
from django.test import Client

from playlists.models import SongTag
from recommender.ml.tags import GENERIC_SHARE
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.conftest import TrainVersion
from tests.serving.tagging import tags_after, tags_set

pytestmark = pytest.mark.django_db


def classic_rock(catalogue: Catalogue) -> list[int]:
    """Six of the eight rock songs: the other two share only "rock" with "Surrender"."""
    return catalogue.group("Bohemian Rhapsody")[:6]


@pytest.fixture
def version(catalogue: Catalogue, train_version: TrainVersion) -> ModelVersion:
    tagged = tags_after(["rock"])
    for song in classic_rock(catalogue):
        tagged[song].append("classic rock")
    tagged[catalogue.unplayed_id] = ["rock", "classic rock", "80s"]
    tags_set(tagged)
    return train_version()


def test_only_songs_sharing_a_specific_tag_come_first(
    api: Client, catalogue: Catalogue, version: ModelVersion
) -> None:
    songs = len(catalogue.ids)
    counts = {
        name: SongTag.objects.filter(tag__name=name).count()
        for name in ("rock", "classic rock", "80s")
    }
    # rock is on every song (generic); classic rock and 80s are not.
    assert counts["rock"] == songs
    assert max(counts["classic rock"], counts["80s"]) < GENERIC_SHARE * songs
    sharing = set(classic_rock(catalogue)) | set(
        SongTag.objects.filter(tag__name="80s").values_list("song_id", flat=True)
    )
    sharing.discard(catalogue.unplayed_id)

    body = api.get(f"/api/songs/{catalogue.unplayed_id}/similar", {"k": songs - 1}).json()
    assert body["source"] == "fallback-popular"
    results = body["results"]
    ids = [item["song"]["id"] for item in results]
    assert set(ids[: len(sharing)]) == sharing
    for item in results[: len(sharing)]:
        text = item["reason"]["text"]
        assert "classic rock" in text or "80s" in text, text
    for item in results[len(sharing) :]:
        assert item["song"]["id"] not in sharing
        assert "rock" not in item["reason"]["text"], item["reason"]["text"]
    # Then the other popular songs: the two rock songs without classic rock among them.
    rock_only = set(catalogue.group("Bohemian Rhapsody")) - set(classic_rock(catalogue))
    assert rock_only <= set(ids[len(sharing) :])
