"""The short way for plain similar and next requests (recommender/api/fast_path.py) answers
byte for byte what the django-ninja operation answers, and leaves everything else to it.

Each request is sent twice through the whole app, with the short way on and off; status, body
and headers must be the same. A second check calls the wrappers with an operation that records
whether it was reached, so the plain requests are known to take the short way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from recommender.api import fast_path
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db

HEADERS = ("Content-Type", "Cache-Control", "Allow", "Content-Length")
UNKNOWN = 9_999_999


# What answers a request: the ninja operation, or the short way with this status.
OPERATION = "operation"


def _similar_cases() -> list[tuple[str, int | str]]:
    """(query string, what answers it for a known seed)."""
    return [
        ("", 200),
        ("k=10", 200),
        ("k=1", 200),
        ("k=100", 200),
        ("k=", 200),
        ("k=0", OPERATION),
        ("k=101", OPERATION),
        ("k=abc", OPERATION),
        ("k=1.5", OPERATION),
        ("k=%E0%A5%A7", OPERATION),  # a Devanagari one: int() would take it, the schema not
        ("k=1&k=2", OPERATION),
        ("familiarity=0.2", OPERATION),
        ("k=5&familiarity=", OPERATION),
        ("other=1", OPERATION),
    ]


def _next_cases(songs: list[int]) -> list[tuple[object, int | str]]:
    """(body, what answers it)."""
    a, b, c = songs[:3]
    return [
        ({"history": [a, b, c]}, 200),
        ({"history": [a], "k": 3}, 200),
        ({"history": [a, UNKNOWN]}, 200),  # a warning, not an error
        ({"history": [a, 2**70]}, 200),  # past 64 bits: the standard library writes it
        ({"history": [UNKNOWN]}, 404),  # worded by the operation's handler
        ({"history": [a, a]}, OPERATION),
        ({"history": [a], "k": 0}, OPERATION),
        ({"history": [a], "k": True}, OPERATION),
        ({"history": [a], "k": 2.0}, OPERATION),
        ({"history": []}, OPERATION),
        ({"history": list(range(51))}, OPERATION),
        ({"history": [a], "exclude": [b]}, OPERATION),
        ({"history": [a], "familiarity": 0.9}, OPERATION),
        ({"history": [a], "exlude": [b]}, OPERATION),
        ({"history": [str(a)]}, OPERATION),
        ([a, b], OPERATION),
        ("not json", OPERATION),
    ]


def _same(one: HttpResponse, other: HttpResponse) -> None:
    assert one.status_code == other.status_code
    assert one.content == other.content
    for header in HEADERS:
        assert one.get(header) == other.get(header), header


def _both_ways(settings: Any, send: Callable[..., Any], *args: Any) -> HttpResponse:
    settings.RECOMMENDER_API_FAST_PATH = True
    fast = send(*args)
    settings.RECOMMENDER_API_FAST_PATH = False
    slow = send(*args)
    _same(fast, slow)
    return fast


def test_similar_answers_the_same_both_ways(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, settings: Any
) -> None:
    seed = catalogue.id("Billie Jean")
    statuses = set()
    for query, _ in _similar_cases():
        for song in (str(seed), "abc", "-1", str(2**31), str(UNKNOWN)):
            response = _both_ways(settings, api.get, f"/api/songs/{song}/similar?{query}")
            statuses.add(response.status_code)
    head = _both_ways(settings, api.head, f"/api/songs/{seed}/similar")
    assert head.status_code == 200
    assert statuses == {200, 404, 422}


def test_next_answers_the_same_both_ways(
    api: Client, catalogue: Catalogue, active_version: ModelVersion, settings: Any
) -> None:
    songs = catalogue.group("Billie Jean")
    statuses = set()
    for body, _ in _next_cases(songs):
        raw = body if isinstance(body, str) else json.dumps(body)
        for content_type in ("application/json", "text/plain"):
            response = _both_ways(settings, api.post, "/api/next", raw, content_type)
            statuses.add(response.status_code)
    assert statuses == {200, 400, 404, 422}


class _Operation:
    """Stands in for the ninja operation: records that the request reached it."""

    def __init__(self) -> None:
        self.reached = False

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.reached = True
        return HttpResponse(b"operation", status=299)


def test_plain_requests_take_the_short_way_and_the_rest_the_operation(
    catalogue: Catalogue, active_version: ModelVersion
) -> None:
    factory = RequestFactory()
    seed = catalogue.id("Billie Jean")
    cases = [(f"/api/songs/{seed}/similar?{query}", seed, then) for query, then in _similar_cases()]
    cases.append((f"/api/songs/{UNKNOWN}/similar", UNKNOWN, 404))
    for url, song, then in cases:
        operation = _Operation()
        response = fast_path.similar(operation)(factory.get(url), song_id=str(song))
        assert response.status_code == (299 if then == OPERATION else then), url
        assert operation.reached is (then == OPERATION), url
    for body, then in _next_cases(catalogue.group("Billie Jean")):
        operation = _Operation()
        raw = body if isinstance(body, str) else json.dumps(body)
        request = factory.post("/api/next", raw, content_type="application/json")
        response = fast_path.next_songs(operation)(request)
        assert response.status_code == (299 if then == OPERATION else then), body
        assert operation.reached is (then == OPERATION), body


@pytest.mark.parametrize("length", ["abc", "", "1e3", "٣"])
def test_a_content_length_that_is_not_a_number_is_left_to_the_operation(
    catalogue: Catalogue, length: str
) -> None:
    body = json.dumps({"history": [catalogue.id("Billie Jean")]})
    request = RequestFactory().post("/api/next", body, content_type="application/json")
    request.META["CONTENT_LENGTH"] = length
    operation = _Operation()
    assert fast_path.next_songs(operation)(request).status_code == 299
    assert operation.reached
