"""What the API fuzzing checks, shared by tests/serving/test_api_fuzz.py and bench/api_fuzz.py.

Schemathesis reads the app's own OpenAPI document (recommender/openapi.py) and sends requests
made from it: valid ones (positive) and ones that break it (negative: wrong types, values out
of range, missing or unknown fields, methods the document does not list), in three phases
(the document's examples, coverage of boundary values and of every method, and random
fuzzing with Hypothesis). Every answer is held to the document.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from recommender.openapi import openapi_schema

CHECKS = (
    "not_a_server_error",  # no 5xx: with an active model not even 503
    "status_code_conformance",  # every status is documented for its operation
    "content_type_conformance",  # with the documented media type (JSON)
    "response_schema_conformance",  # and a body that fits the documented schema
    "response_headers_conformance",  # documented headers (Allow on 405, Retry-After on 429)
    "negative_data_rejection",  # a request the document forbids gets a 4xx
    "positive_data_acceptance",  # a request the document allows is not refused with 400/422
    "unsupported_method",  # a method the document does not list gets 405 with Allow
    "allow_header_conformance",  # Allow lists the documented methods
)

# Shares of the generated song ids replaced by ids of real songs: random integers alone would
# almost always be unknown, and fuzzing would test little beyond the 404 path.
REAL_SONG_SHARE = {"path.song_id": 0.5, "body.seeds[*]": 0.9, "body.exclude[*]": 0.5}
# A history must not repeat a song, so its ids are swapped for distinct real ones by a hook
# (history_with_real_songs) rather than drawn from the dictionary one by one.
REAL_HISTORY_SHARE = 0.9
REAL_QUERY_SHARE = 0.5


def fuzz_config(
    *, song_ids: Sequence[int], queries: Sequence[str], **options: Any
) -> schemathesis.Config:
    """Only CHECKS; song ids and search words drawn from the catalogue part of the time.

    `options` are more keys of schemathesis' configuration (schemathesis.toml), e.g. `seed`.
    """
    return schemathesis.Config.from_dict(
        {
            **options,
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "dictionaries": {
                "songs": {"values": list(song_ids)},
                "queries": {"values": list(queries)},
            },
            "parameters": {
                **{
                    where: {"dictionary": "songs", "probability": share}
                    for where, share in REAL_SONG_SHARE.items()
                },
                "query.q": {"dictionary": "queries", "probability": REAL_QUERY_SHARE},
            },
        }
    )


def fuzz_schema(
    *, song_ids: Sequence[int], queries: Sequence[str], app: object = None, **options: Any
) -> OpenApiSchema:
    """The app's document, built in process; requests go to `app` (a WSGI app) when given,
    otherwise each request names the app it goes to.

    Not read from /api/schema over the app: schemathesis leaves out the operation a document
    is served from, and GET /api/schema is one of the operations to fuzz.
    """
    schema = schemathesis.openapi.from_dict(
        openapi_schema(), config=fuzz_config(song_ids=song_ids, queries=queries, **options)
    )
    schema.app = app
    real = list(song_ids)

    @schema.hook("map_body")
    def history_with_real_songs(context: Any, body: Any) -> Any:
        history = body.get("history") if isinstance(body, dict) else None
        if not isinstance(history, list) or not _distinct_ints(history) or len(history) > len(real):
            return body
        # Seeded by the drawn history: the same cases on every run, as Hypothesis' are.
        rng = random.Random(repr(history))
        if rng.random() > REAL_HISTORY_SHARE:
            return body
        return {**body, "history": rng.sample(real, len(history))}

    return schema


def _distinct_ints(value: object) -> bool:
    return (
        isinstance(value, list)
        and all(type(item) is int for item in value)
        and len(set(value)) == len(value)
    )


def search_words(texts: Iterable[str]) -> list[str]:
    """Queries that find songs: each title or artist, and its first word."""
    words: dict[str, None] = {}
    for text in texts:
        words[text] = None
        if text.split():
            words[text.split()[0]] = None
    return list(words)
