"""The short way for the API's hottest requests, in front of their django-ninja operations.

A one-song list (`GET /api/songs/{id}/similar`) and what comes next (`POST /api/next`) are
most of the API's traffic. django-ninja's way through a request (its parameter models, a
temporary response, its exception routing) costs about as much as the ranking itself
(docs/profile.md; bench/results/serve_runs.json measures both ways). For the plain shape of
these requests, each wrapper below reads the input with the schemas' own validators and calls
the same serving function, payload builder and renderer as the operation, so the answer is
the operation's to the byte (tests/serving/test_api_fast_path_answers_as_ninja.py). Anything
else goes to the ninja operation, and an error serving raises goes to its exception handlers:
the short way never words an error of its own.

`RECOMMENDER_API_FAST_PATH=0` turns it off (the benchmark measures both).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from pydantic_core import PydanticCustomError

from playlists.models import SONG_ID_MAX
from recommender import serving
from recommender.api import payloads
from recommender.api.errors import max_body
from recommender.api.ninja_api import View, api
from recommender.api.schemas import text_int
from recommender.api_limits import DEFAULT_K, MAX_HISTORY, MAX_K
from recommender.ml.familiarity import DEFAULT_FAMILIARITY

# Raised by serving when there is no 200 to give (404, 503): worded by the operation's own
# handlers (api/errors.py), without serving the request a second time (which would also try
# a failed model load twice).
_SERVING_ERRORS = (serving.UnknownSongs, serving.NoActiveModel)
_READ = ("GET", "HEAD")


def _enabled() -> bool:
    return bool(settings.RECOMMENDER_API_FAST_PATH)


def _plain_similar_query(request: HttpRequest, song_id: str) -> tuple[int, int] | None:
    """The song id and k of a plain similar request; None for anything the operation must see."""
    query = request.GET
    if request.method not in _READ or any(
        key != "k" or len(query.getlist(key)) != 1 for key in query
    ):
        return None
    try:
        # The schemas' own readers (SongId, QueryK), so that what they refuse is refused.
        song = text_int(song_id)
        k = text_int(query["k"]) if query.get("k") else DEFAULT_K
    except PydanticCustomError:
        return None
    return (song, k) if 0 <= song <= SONG_ID_MAX and 1 <= k <= MAX_K else None


def similar(operation: View) -> View:
    """GET /api/songs/{id}/similar with no query but k (a plain one), or none at all."""

    @wraps(operation)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        plain = (
            _plain_similar_query(request, kwargs["song_id"])
            if _enabled() and not args and "song_id" in kwargs
            else None
        )
        if plain is None:
            return operation(request, *args, **kwargs)
        song_id, k = plain
        return _answer(
            request,
            lambda: serving.songs_similar(song_id=song_id, k=k, familiarity=DEFAULT_FAMILIARITY),
            one_seed=True,
        )

    return view


def next_songs(operation: View) -> View:
    """POST /api/next with a body of "history" (distinct integers) and at most "k"."""

    @wraps(operation)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        plain = _plain_next_body(request) if _enabled() and not args else None
        if plain is None:
            return operation(request, *args, **kwargs)
        history, k = plain
        return _answer(
            request,
            lambda: serving.songs_next(
                history=history,
                k=k,
                exclude=(),
                max_per_artist=None,
                familiarity=DEFAULT_FAMILIARITY,
            ),
            one_seed=False,
        )

    return view


def _answer(
    request: HttpRequest, serve: Callable[[], serving.Recommendation], *, one_seed: bool
) -> HttpResponseBase:
    """What the operation would answer: its payload and renderer, or its handler's error."""
    try:
        result = serve()
    except _SERVING_ERRORS as error:
        return api.on_exception(request, error)
    return api.create_response(
        request, payloads.recommendation_json(result, one_seed=one_seed), status=200
    )


def _plain_next_body(request: HttpRequest) -> tuple[list[int], int] | None:
    """The history and k of a plain /api/next body; None for anything the operation must see.

    Only a body with a Content-Length is read here (Django keeps it, so the operation can read
    it again); a chunked one is read by the operation's own reader (ninja_api._raw_body).
    """
    meta = request.META
    length = str(meta.get("CONTENT_LENGTH") or "")
    if request.method != "POST" or not (length.isascii() and length.isdigit()):
        return None
    if meta.get("HTTP_TRANSFER_ENCODING") or not meta.get("CONTENT_TYPE", "").startswith(
        "application/json"
    ):
        return None
    if int(length) > max_body():
        return None
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    if type(body) is not dict or not body.keys() <= {"history", "k"}:
        return None
    history, k = body.get("history"), body.get("k", DEFAULT_K)
    if type(history) is not list or not 1 <= len(history) <= MAX_HISTORY:
        return None
    if any(type(song) is not int for song in history) or len(set(history)) != len(history):
        return None
    if type(k) is not int or not 1 <= k <= MAX_K:
        return None
    return history, k
