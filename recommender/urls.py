"""Routes of the site's pages and of the JSON API (mounted at the root by config/urls.py)."""

from django.urls import path, re_path

from recommender import api, views

app_name = "recommender"

urlpatterns = [
    # The API first (recommender/api/endpoints.py): Django tries patterns in order on every
    # request, and the API's are the hot ones. /healthz is among them.
    path("", api.api.urls),
    path("api/docs", views.api_docs, name="api-docs"),
    # Anything else under /api/ answers JSON, not the HTML 404 page.
    re_path(r"^api(?:/(?P<rest>.*))?$", api.unknown_endpoint),
    path("", views.home, name="home"),
    path("songs/<int:song_id>", views.song_page, name="song"),
    path("model", views.model_page, name="model"),
    path("map", views.map_page, name="map"),
    path("radio", views.radio_page, name="radio"),
]
