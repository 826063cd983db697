from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from playlists.ingest import playlists_ingest
from playlists.models import Playlist

SONGS = [
    ("Billie Jean", "Michael Jackson"),
    ("Thriller", "Michael Jackson"),
    ("Hey", "Pixies"),
    ("Crazy in Love", "Beyonc&eacute;"),
]


@pytest.fixture
def catalogue(yes_folder):
    playlists_ingest(
        source=yes_folder(
            songs=SONGS,
            playlists=[[2, 0, 1], [3, 0]],
            tag_names=["pop", "rock"],
            song_tags={0: [0, 1], 2: [1]},
        )
    )


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def song_titles(response) -> set[str]:
    return {title for title, _ in SONGS if f">{title}<" in response.content.decode()}


@pytest.mark.django_db
def test_staff_can_search_songs_by_title_and_by_artist(catalogue, staff_client):
    by_title = staff_client.get("/admin/playlists/song/", {"q": "thrill"})
    by_artist = staff_client.get("/admin/playlists/song/", {"q": "michael jackson"})
    by_folded_artist = staff_client.get("/admin/playlists/song/", {"q": "beyonce"})

    assert by_title.status_code == 200
    assert song_titles(by_title) == {"Thriller"}
    assert song_titles(by_artist) == {"Billie Jean", "Thriller"}
    assert song_titles(by_folded_artist) == {"Crazy in Love"}


@pytest.mark.django_db
def test_song_list_shows_tags_most_relevant_first(catalogue, staff_client):
    page = staff_client.get("/admin/playlists/song/").content.decode()

    assert "pop, rock" in page


@pytest.mark.django_db
def test_playlist_page_lists_its_songs_in_play_order(catalogue, staff_client):
    playlist = Playlist.objects.get(line_number=3)

    page = staff_client.get(f"/admin/playlists/playlist/{playlist.pk}/change/").content.decode()

    positions = [
        page.index(f"{song_id} — {title}")
        for song_id, title in ((2, "Hey"), (0, "Billie Jean"), (1, "Thriller"))
    ]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_tag_and_data_set_pages_open(catalogue, staff_client):
    tags = staff_client.get("/admin/playlists/tag/")
    datasets = staff_client.get("/admin/playlists/dataset/")

    assert tags.status_code == 200 and "rock" in tags.content.decode()
    assert datasets.status_code == 200 and "yes_0" in datasets.content.decode()


@pytest.mark.django_db
def test_non_staff_users_are_sent_to_the_login_page(catalogue, client):
    user = get_user_model().objects.create_user("listener", password="pw")
    client.force_login(user)

    response = client.get("/admin/playlists/song/", {"q": "thriller"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
