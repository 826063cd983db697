"""One view that answers a song's nearest ids with the FAISS search and nothing else."""

import json

from django.http import HttpRequest, HttpResponse
from django.urls import path

from recommender import api, serving


def bare_similar(request: HttpRequest, song_id: str) -> HttpResponse:
    model = serving.serving_model()
    vectors = model.recommender.vectors
    query = vectors.query[vectors.row_of(int(song_id))].reshape(1, -1)
    scores, ids = vectors.alike_index.search(query, 11)
    body = json.dumps({"ids": ids[0].tolist(), "scores": scores[0].tolist()})
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("api/songs/<str:song_id>/similar", bare_similar),
    path("healthz", api.health),
]
