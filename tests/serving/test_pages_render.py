"""The pages: home, a song with its neighbours and playlist context, the model, the map."""

import pytest
from django.test import Client

from recommender.metrics_display import metrics_tables
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


def test_home_has_an_accessible_search_combobox(api: Client, active_version: ModelVersion) -> None:
    page = api.get("/").content.decode()
    assert 'role="combobox"' in page
    assert 'aria-controls="song-options"' in page
    assert 'role="listbox"' in page
    assert 'aria-live="polite"' in page
    assert "/static/recommender/home.js" in page
    assert '<meta name="viewport"' in page


def test_a_song_page_shows_neighbours_and_playlist_context(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seed = catalogue.rare_successor_id  # Still D.R.E.: the rare song was played right before it
    response = api.get(f"/songs/{seed}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Still D.R.E." in page and "Dr. Dre" in page
    similar = api.get(f"/api/songs/{seed}/similar", {"k": 12}).json()
    for item in similar["results"]:
        assert f'href="/songs/{item["song"]["id"]}"' in page
    assert "Often right before" in page and "Often right after" in page
    before = page.split("Often right before", 1)[1].split("Often right after", 1)[0]
    assert f'href="/songs/{catalogue.rare_id}"' in before
    assert f'href="/?seeds={seed}"' in page


def test_a_song_without_vector_explains_the_fallback(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    page = api.get(f"/songs/{catalogue.rare_id}").content.decode()
    assert "no place for this song yet" in page
    assert f'href="/songs/{catalogue.rare_successor_id}"' in page


def test_an_unknown_song_page_is_404(api: Client, catalogue: Catalogue) -> None:
    response = api.get("/songs/99999")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_model_page_shows_hyperparameters_and_metrics(
    api: Client, active_version: ModelVersion
) -> None:
    page = api.get("/model").content.decode()
    assert f"version {active_version.id}" in page
    assert "<dt>Vector size</dt><dd>16 dimensions</dd>" in page
    tables = metrics_tables(active_version.metrics)
    assert [table.key for table in tables] == ["next", "next_one_song", "continuation", "similar"]
    for table in tables:
        assert table.title in page
        if table.no_cases:  # said in words, not as a table of zeros
            continue
        for label, cells in table.rows:
            assert f'<th scope="row">{label}</th>' in page
            assert all(cell.text in page for cell in cells)
    assert "Ablation: what each half of the model adds" in page
    # The test catalogue is far below the approximate-index threshold: both indexes are exact,
    # and the worker stored that with the version.
    stored = active_version.metrics["index"]
    assert {name: entry["kind"] for name, entry in stored.items()} == {
        "next": "flat",
        "sounds_like": "flat",
    }
    assert stored["next"]["recall_at_10"] == 1.0
    assert stored["next"]["songs"] == active_version.metrics["catalogue_size"] - 2
    assert page.count("exact (flat) search") == 2


def test_map_page_loads_its_script_and_canvas(api: Client, active_version: ModelVersion) -> None:
    page = api.get("/map").content.decode()
    assert "<canvas" in page and "/static/recommender/map.js" in page


def test_static_files_are_served_locally(api: Client, active_version: ModelVersion) -> None:
    page = api.get("/").content.decode()
    assert "https://" not in page.replace("https://www.", "")  # no CDN, no external assets
