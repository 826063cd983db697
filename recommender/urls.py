"""Routes of the site's pages and of the JSON API (mounted at the root by config/urls.py)."""

from django.urls import path, re_path

from recommender import api, views

app_name = "recommender"

urlpatterns = [
    # The hot API routes first: Django tries patterns in order on every request.
    path("api/songs/<str:song_id>/similar", api.song_similar, name="api-similar"),
    path("api/recommendations", api.recommendations, name="api-recommendations"),
    path("api/next", api.next_songs, name="api-next"),
    path("api/radio", api.radio, name="api-radio"),
    path("api/songs", api.songs_search, name="api-songs"),
    path("api/songs/<str:song_id>", api.song_detail, name="api-song"),
    *(
        path(
            f"api/playlists/export.{extension}",
            api.playlist_export_view,
            {"extension": extension},
            name=f"api-export-{extension}",
        )
        for extension in api.EXPORT_FORMATS
    ),
    path("api/models/active", api.model_active, name="api-model-active"),
    path("api/map", api.embedding_map, name="api-map"),
    path("api/schema", api.schema, name="api-schema"),
    path("api/docs", views.api_docs, name="api-docs"),
    path("healthz", api.health, name="health"),
    # Anything else under /api/ answers JSON, not the HTML 404 page.
    re_path(r"^api(?:/(?P<rest>.*))?$", api.not_found),
    path("", views.home, name="home"),
    path("songs/<int:song_id>", views.song_page, name="song"),
    path("model", views.model_page, name="model"),
    path("map", views.map_page, name="map"),
    path("radio", views.radio_page, name="radio"),
]
