from __future__ import annotations

import pytest

from playlists.ingest import playlists_ingest
from playlists.models import Song, Tag
from playlists.text import clean_display_text, search_key


def test_display_text_unescapes_entities_and_slashes():
    assert clean_display_text("The Needle &#x26; The Spoon") == "The Needle & The Spoon"
    assert clean_display_text("California Love (w\\/ Dr. Dre &amp; Roger)") == (
        "California Love (w/ Dr. Dre & Roger)"
    )


@pytest.mark.django_db
def test_ingest_stores_clean_titles_and_an_accent_free_search_key(yes_folder):
    folder = yes_folder(
        songs=[
            ("The Needle &#x26; The Spoon", "Lynyrd Skynyrd"),
            ("California Love (w\\/ Dr. Dre & Roger Troutman)", "2Pac"),
            ("Déjà  Vu", "Beyonc&eacute;"),
        ],
        playlists=[[0, 1, 2]],
        tag_names=["r&amp;b"],
        song_tags={2: [0]},
    )

    playlists_ingest(source=folder)

    songs = {song.id: song for song in Song.objects.all()}
    assert songs[0].title == "The Needle & The Spoon"
    assert songs[1].title == "California Love (w/ Dr. Dre & Roger Troutman)"
    assert (songs[2].title, songs[2].artist) == ("Déjà  Vu", "Beyoncé")
    assert songs[2].search_text == "deja vu beyonce"
    assert songs[2].search_text == search_key("Déjà Vu Beyoncé")
    assert Tag.objects.get(id=0).name == "r&b"
