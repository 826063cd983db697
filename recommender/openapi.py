"""The OpenAPI 3.1 description of the JSON API, written by hand next to the views it describes.

Kept as plain data so that the docs page renders it and the tests validate real responses
against its schemas (every endpoint, every documented error).
"""

from __future__ import annotations

import copy
from typing import Any

from recommender import api_limits
from recommender.api_limits import (
    DEFAULT_K,
    DEFAULT_SEARCH_LIMIT,
    MAX_EXCLUDE,
    MAX_EXPORT_SONGS,
    MAX_HISTORY,
    MAX_K,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    MAX_SEARCH_LIMIT,
    MAX_SEEDS,
    SONG_TAGS,
)
from recommender.ml.familiarity import DEFAULT_FAMILIARITY


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_ERRORS = {
    "400": {"$ref": "#/components/responses/MalformedJson"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "405": {"$ref": "#/components/responses/MethodNotAllowed"},
    "413": {"$ref": "#/components/responses/BodyTooLarge"},
    "422": {"$ref": "#/components/responses/InvalidParameter"},
    "429": {"$ref": "#/components/responses/RateLimited"},
    "503": {"$ref": "#/components/responses/Unavailable"},
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _ERRORS[code] for code in codes}


_SONG_ID_PARAM = {
    "name": "song_id",
    "in": "path",
    "required": True,
    "description": "The data set's song id (0..75261 for yes_complete).",
    "schema": {"type": "integer"},
}


def _int_query(name: str, *, low: int, high: int, default: int) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        # The views read `?k=` like a missing k (what a form with an empty field sends); without
        # allowEmptyValue the document would say an empty value is invalid.
        "allowEmptyValue": True,
        "description": "Empty or absent: the default.",
        "schema": {"type": "integer", "minimum": low, "maximum": high, "default": default},
    }


def _seeds(description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "integer"},
        "minItems": 1,
        "maxItems": MAX_SEEDS,
        "description": description,
    }


_FAMILIARITY: dict[str, Any] = {
    "type": "number",
    "minimum": 0,
    "maximum": 1,
    "default": DEFAULT_FAMILIARITY,
    "description": (
        "0: lean to long-tail discoveries, 1: to well-known songs; "
        f"{DEFAULT_FAMILIARITY}: the model's own order."
    ),
}

_FAMILIARITY_QUERY: dict[str, Any] = {
    "name": "familiarity",
    "in": "query",
    "allowEmptyValue": True,
    "description": f"Empty or absent: {DEFAULT_FAMILIARITY}. " + _FAMILIARITY["description"],
    "schema": _FAMILIARITY,
}

# The options POST /api/recommendations and POST /api/next share.
_LIST_OPTIONS: dict[str, Any] = {
    "familiarity": _FAMILIARITY,
    "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": DEFAULT_K},
    "exclude": {
        "type": "array",
        "items": {"type": "integer"},
        "maxItems": MAX_EXCLUDE,
        "default": [],
        "description": "Song ids never to return (unknown ids are ignored).",
    },
    "max_per_artist": {
        "type": ["integer", "null"],
        "minimum": 1,
        "default": None,
        "description": "At most this many results by one artist.",
    },
}

_SONG_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer", "example": 3822},
    "title": {"type": "string", "example": "Billie Jean"},
    "artist": {"type": "string", "example": "Michael Jackson"},
    "tags": {
        "type": "array",
        "items": {"type": "string"},
        "maxItems": SONG_TAGS,
        "description": (
            f"The song's {SONG_TAGS} most specific Last.fm tags, genres first, most specific "
            "(rarest in the catalogue) first, opinion tags left out (may be empty)."
        ),
        "example": ["pop", "80s", "dance"],
    },
}

# Seeds left out of an answer: always present, empty when every seed was used.
_WARNINGS: dict[str, Any] = {
    "type": "array",
    "items": _ref("Warning"),
    "description": (
        "What was left out of the answer, for the client to tell its user; empty when "
        "nothing was. unknown_seeds: seed (or history) ids the serving version does not "
        "know; the answer is the one for the other seeds (404 only when none is known)."
    ),
}

_SCHEMAS: dict[str, Any] = {
    "Song": {
        "type": "object",
        "required": ["id", "title", "artist", "tags"],
        "additionalProperties": False,
        "properties": _SONG_PROPERTIES,
    },
    "Reason": {
        "type": "object",
        "required": ["kind", "because_of", "text", "shares"],
        "additionalProperties": False,
        "description": (
            "Why the song is there: the signal that added most to its score, grouped by kind, "
            "and the context song that carries it."
        ),
        "properties": {
            "kind": {
                "type": "string",
                "enum": [
                    "played-after",
                    "played-with",
                    "sounds-like",
                    "same-artist",
                    "same-tag",
                    "popular",
                    "popular-fallback",
                ],
            },
            "because_of": {
                "type": ["integer", "null"],
                "description": "The seed or history song behind the reason, if one is.",
            },
            "text": {"type": "string", "example": "often played after “Billie Jean”"},
            "shares": {
                "type": "object",
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                "description": (
                    "Each kind's share of the positive contributions to the score (sum 1); "
                    "empty for the popular fallback."
                ),
            },
        },
    },
    "ScoredSong": {
        "type": "object",
        "required": ["song", "score", "reason"],
        "additionalProperties": False,
        "properties": {
            "song": _ref("Song"),
            "reason": _ref("Reason"),
            "score": {
                "type": "number",
                "description": (
                    "source=model: the scorer's probability that the song belongs (0..1); songs "
                    "filling a short list score 0. fallback-popular: plays relative to the most "
                    "played song (0..1). Results are sorted by score, best first."
                ),
            },
        },
    },
    "Source": {
        "type": "string",
        "enum": ["model", "fallback-popular"],
        "description": (
            "model: ranked by the version's scorer over Word2Vec vectors and playlist "
            "statistics. When the model knows nothing of any seed (no vector, never in a "
            "training playlist): fallback-popular (popular songs, those sharing a specific "
            "tag with a seed first)."
        ),
    },
    "SimilarResponse": {
        "type": "object",
        "required": ["seed", "model_version", "source", "unplaced_seeds", "results"],
        "additionalProperties": False,
        "properties": {
            "seed": _ref("Song"),
            "model_version": {"type": "integer", "description": "The version that answered."},
            "source": _ref("Source"),
            "unplaced_seeds": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "Seed ids the model has no vector for.",
            },
            "results": {"type": "array", "items": _ref("ScoredSong"), "maxItems": MAX_K},
        },
    },
    "RecommendationRequest": {
        "type": "object",
        "required": ["seeds"],
        "additionalProperties": False,
        "properties": {
            "seeds": _seeds("Song ids, e.g. a playlist so far. Duplicates count once."),
            **_LIST_OPTIONS,
        },
        "example": {"seeds": [3822, 842], "k": 10, "exclude": [], "max_per_artist": 2},
    },
    "NextRequest": {
        "type": "object",
        "required": ["history"],
        "additionalProperties": False,
        "properties": {
            "history": {
                "type": "array",
                "items": {"type": "integer"},
                "minItems": 1,
                "maxItems": MAX_HISTORY,
                "uniqueItems": True,
                "description": (
                    "Recently played song ids, oldest first (the newest five shape the answer), "
                    "each song once."
                ),
            },
            **_LIST_OPTIONS,
        },
        "example": {"history": [3822, 842], "k": 10, "exclude": [], "max_per_artist": 2},
    },
    "RadioRequest": {
        "type": "object",
        "required": ["seeds"],
        "additionalProperties": False,
        "properties": {
            "seeds": _seeds(
                "The station's start, oldest first; to continue a station, send its latest "
                "songs here and the earlier ones in exclude."
            ),
            "length": {
                "type": "integer",
                "minimum": 1,
                "maximum": api_limits.MAX_RADIO_LENGTH,
                "default": api_limits.DEFAULT_RADIO_LENGTH,
            },
            "familiarity": _FAMILIARITY,
            "exclude": _LIST_OPTIONS["exclude"],
            "artist_gap": {
                "type": "integer",
                "minimum": 0,
                "maximum": api_limits.MAX_ARTIST_GAP,
                "default": api_limits.DEFAULT_ARTIST_GAP,
                "description": "No artist again within this many songs.",
            },
            "seed": {
                "type": ["integer", "null"],
                "minimum": 0,
                "maximum": api_limits.MAX_RADIO_SEED,
                "default": None,
                "description": "Draw among the top few songs with this seed (same seed, same "
                "station); without it the best song is always taken.",
            },
        },
        "example": {"seeds": [3822, 842], "length": 25, "familiarity": 0.5, "artist_gap": 3},
    },
    "Warning": {
        "type": "object",
        "required": ["code", "message", "ids"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "enum": ["unknown_seeds"]},
            "message": {"type": "string", "description": "For people; may change."},
            "ids": {
                "type": "array",
                "items": {"type": "integer"},
                "minItems": 1,
                "description": "The song ids left out, in the order given.",
            },
        },
        "example": {
            "code": "unknown_seeds",
            "message": "Not in the catalogue of model version 3, left out: song id 99999999.",
            "ids": [99999999],
        },
    },
    "RadioResponse": {
        "type": "object",
        "required": ["model_version", "seeds", "complete", "warnings", "songs"],
        "additionalProperties": False,
        "properties": {
            "model_version": {"type": "integer"},
            "seeds": {
                "type": "array",
                "items": _ref("Song"),
                "description": "The seeds used (unknown ones are in warnings).",
            },
            "complete": {
                "type": "boolean",
                "description": "false when the catalogue ran out before length songs.",
            },
            "warnings": _WARNINGS,
            "songs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "artist", "tags", "position", "source", "reason"],
                    "additionalProperties": False,
                    "properties": {
                        **_SONG_PROPERTIES,
                        "position": {"type": "integer", "minimum": 1},
                        "source": _ref("Source"),
                        "reason": _ref("Reason"),
                    },
                },
            },
        },
    },
    "RecommendationResponse": {
        "type": "object",
        "required": ["seeds", "model_version", "source", "unplaced_seeds", "warnings", "results"],
        "additionalProperties": False,
        "properties": {
            "seeds": {
                "type": "array",
                "items": _ref("Song"),
                "description": "The seeds (or history songs) used; unknown ones are in warnings.",
            },
            "warnings": _WARNINGS,
            "model_version": {"type": "integer"},
            "source": _ref("Source"),
            "unplaced_seeds": {
                "type": "array",
                "items": {"type": "integer"},
                "description": (
                    "Seeds without a Word2Vec vector. They still count through the playlist "
                    "statistics; when the model knows nothing of any seed, the answer is "
                    "fallback-popular."
                ),
            },
            "results": {"type": "array", "items": _ref("ScoredSong"), "maxItems": MAX_K},
        },
    },
    "SearchResponse": {
        "type": "object",
        "required": ["query", "total", "limit", "offset", "results"],
        "additionalProperties": False,
        "properties": {
            "query": {"type": "string"},
            "total": {"type": "integer", "description": "Matches in all pages."},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "results": {"type": "array", "items": _ref("Song")},
        },
    },
    "ModelVersion": {
        "type": "object",
        "required": [
            "id",
            "status",
            "created_at",
            "finished_at",
            "activated_at",
            "train_seconds",
            "songs_with_vectors",
            "hyperparameters",
            "metrics",
            "corpus_stats",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": ["succeeded"]},
            "created_at": {"type": ["string", "null"], "format": "date-time"},
            "finished_at": {"type": ["string", "null"], "format": "date-time"},
            "activated_at": {"type": ["string", "null"], "format": "date-time"},
            "train_seconds": {"type": ["number", "null"]},
            "songs_with_vectors": {"type": ["integer", "null"]},
            "hyperparameters": {
                "type": "object",
                "description": "Word2Vec settings (gensim names), e.g. vector_size, window.",
            },
            "metrics": {
                "type": "object",
                "description": "Held-out results of the model and of the baselines.",
            },
            "corpus_stats": {"type": "object"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "database", "model_version"],
        "additionalProperties": False,
        "properties": {
            "status": {
                "type": "string",
                "enum": ["ok", "degraded", "unavailable"],
                "description": (
                    "degraded: answering from an older version because the active one could "
                    "not be loaded (error says why)."
                ),
            },
            "database": {"type": "string", "description": "ok, or error: KIND"},
            "model_version": {"type": ["integer", "null"]},
            "error": {"$ref": "#/components/schemas/Error/properties/error"},
        },
    },
    "MapResponse": {
        "type": "object",
        "required": ["model_version", "tags", "explained_variance", "points"],
        "additionalProperties": False,
        "properties": {
            "model_version": {"type": "integer"},
            "tags": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Colour legend; points.tag indexes into it (last: other).",
            },
            "explained_variance": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
            },
            "points": {
                "type": "object",
                "description": "Parallel arrays, one entry per song (most played songs).",
                "required": ["id", "x", "y", "tag", "title", "artist"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "array", "items": {"type": "integer"}},
                    "x": {"type": "array", "items": {"type": "number"}},
                    "y": {"type": "array", "items": {"type": "number"}},
                    "tag": {"type": "array", "items": {"type": "integer"}},
                    "title": {"type": "array", "items": {"type": "string"}},
                    "artist": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [
                            "bad_request",
                            "malformed_json",
                            "body_too_large",
                            "invalid_parameter",
                            "too_many_ids",
                            "not_found",
                            "method_not_allowed",
                            "no_active_model",
                            "database_unavailable",
                            "rate_limited",
                            "internal_error",
                        ],
                    },
                    "message": {"type": "string", "description": "For people; may change."},
                },
            }
        },
        "example": {"error": {"code": "not_found", "message": "no song with id 99999999."}},
    },
}

_RESPONSES: dict[str, Any] = {
    "MalformedJson": _error("malformed_json: the body is not a JSON object."),
    "BodyTooLarge": _error(
        "body_too_large: the JSON body is over the size limit (DJANGO_MAX_BODY_BYTES, 256 KiB "
        "unless set)."
    ),
    "NotFound": _error(
        "not_found: an unknown song id (for seeds and history: none of them is known), or no "
        "such endpoint."
    ),
    "MethodNotAllowed": {
        **_error("method_not_allowed: the Allow header lists the methods."),
        "headers": {"Allow": {"schema": {"type": "string"}}},
    },
    "InvalidParameter": _error(
        f"invalid_parameter: a value out of range or of the wrong type (k outside 1..{MAX_K}, a "
        f"non-integer id, an unknown field); too_many_ids: more than {MAX_SEEDS} seeds or "
        f"{MAX_EXCLUDE} exclusions."
    ),
    "RateLimited": {
        **_error("rate_limited: too many requests from this address; see Retry-After."),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
    "Unavailable": {
        **_error(
            "no_active_model: no model version is active yet (or its files cannot be loaded); "
            "database_unavailable: the database cannot be reached. Both are temporary."
        ),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait (sent with database_unavailable).",
                "schema": {"type": "integer"},
            }
        },
    },
}

# The export endpoints' media types (recommender/api.py's EXPORT_FORMATS) and what each
# body is. JSPF is JSON, so it also gets a schema; the others are text the schema cannot read.
_EXPORT_MEDIA = {
    "m3u8": ("application/vnd.apple.mpegurl", "Extended M3U, UTF-8", {"type": "string"}),
    "xspf": ("application/xspf+xml", "XSPF version 1", {"type": "string"}),
    "jspf": (
        "application/json",
        "JSPF, XSPF's structure in JSON",
        {
            "type": "object",
            "required": ["playlist"],
            "properties": {
                "playlist": {
                    "type": "object",
                    "required": ["title", "track"],
                    "properties": {
                        "title": {"type": "string"},
                        "track": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["location", "title", "creator", "info"],
                                "properties": {
                                    "location": {"type": "array", "items": {"type": "string"}},
                                    "title": {"type": "string"},
                                    "creator": {"type": "string"},
                                    "info": {"type": "string"},
                                },
                            },
                        },
                    },
                }
            },
        },
    ),
}


def _export_path(extension: str) -> dict[str, Any]:
    media_type, what, body = _EXPORT_MEDIA[extension]
    return {
        "get": {
            "operationId": f"playlist_export_{extension}",
            "summary": f"The songs as a playlist file: {what}",
            "description": (
                "Title and artist per track, in the order given; each track's location is the "
                "song's page on this site. Sent as an attachment named after the title."
            ),
            "parameters": [
                {
                    "name": "songs",
                    "in": "query",
                    "required": True,
                    "schema": {
                        "type": "string",
                        # recommender/api.py's _EXPORT_ID, at most MAX_EXPORT_SONGS times.
                        "pattern": f"^[0-9]{{1,10}}(,[0-9]{{1,10}}){{0,{MAX_EXPORT_SONGS - 1}}}$",
                    },
                    "description": f"Comma-separated song ids, in order; at most "
                    f"{MAX_EXPORT_SONGS} (422 beyond, 404 for an unknown id).",
                    "example": "3822,842",
                },
                {
                    "name": "title",
                    "in": "query",
                    "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                    "description": "The playlist's title; also names the file.",
                    "example": "Road trip",
                },
            ],
            "responses": {
                "200": {
                    "description": what,
                    "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
                    "content": {media_type: {"schema": body}},
                },
                **_errors("404", "405", "422", "429"),
            },
        }
    }


_PATHS: dict[str, Any] = {
    "/api/songs": {
        "get": {
            "operationId": "songs_search",
            "summary": "Search songs by title or artist",
            "description": (
                "Every word of q must appear in the title or artist, ignoring case and accents. "
                "Titles starting with q come first, then songs where q starts a word of the "
                "title or artist, then the rest; ties by plays. An empty q returns no songs."
            ),
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "schema": {"type": "string", "default": "", "maxLength": MAX_QUERY_CHARS},
                    "description": f"Words of a title or artist; at most {MAX_QUERY_CHARS} "
                    "characters (422 beyond).",
                    "example": "billie",
                },
                _int_query("limit", low=1, high=MAX_SEARCH_LIMIT, default=DEFAULT_SEARCH_LIMIT),
                _int_query("offset", low=0, high=MAX_OFFSET, default=0),
            ],
            "responses": {
                "200": _json(_ref("SearchResponse"), "One page of matches, best first."),
                **_errors("405", "422", "429", "503"),
            },
        }
    },
    "/api/songs/{song_id}": {
        "get": {
            "operationId": "song_get",
            "summary": "One song",
            "parameters": [_SONG_ID_PARAM],
            "responses": {
                "200": _json(_ref("Song"), "The song."),
                **_errors("404", "405", "422", "429", "503"),
            },
        }
    },
    "/api/songs/{song_id}/similar": {
        "get": {
            "operationId": "song_similar",
            "summary": "Songs similar to one song",
            "description": (
                "The k songs that best belong with the seed in the active model (candidates "
                "from FAISS and playlist statistics, ranked by the fitted scorer), the seed "
                "itself excluded. A song the model knows nothing of gets a labelled fallback "
                "(see source), never an error."
            ),
            "parameters": [
                _SONG_ID_PARAM,
                _int_query("k", low=1, high=MAX_K, default=DEFAULT_K),
                _FAMILIARITY_QUERY,
            ],
            "responses": {
                "200": _json(_ref("SimilarResponse"), "The seed and its neighbours."),
                **_errors("404", "405", "422", "429", "503"),
            },
        }
    },
    "/api/recommendations": {
        "post": {
            "operationId": "recommendations_create",
            "summary": "Continue a playlist from several seeds",
            "description": (
                "Songs that belong with the seeds, ranked by the model's continuation weights; "
                "seeds and exclude never appear in the results; max_per_artist limits songs "
                "per artist."
            ),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("RecommendationRequest")}},
            },
            "responses": {
                "200": _json(_ref("RecommendationResponse"), "The seeds and the songs to add."),
                **_errors("400", "404", "405", "413", "422", "429", "503"),
            },
        }
    },
    "/api/next": {
        "post": {
            "operationId": "next_create",
            "summary": "What to play after a history of songs",
            "description": (
                "The songs most likely to come next after the history (oldest first), ranked "
                "by the model's next-song weights; history songs and exclude never appear."
            ),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("NextRequest")}},
            },
            "responses": {
                "200": _json(_ref("RecommendationResponse"), "The history and what comes next."),
                **_errors("400", "404", "405", "413", "422", "429", "503"),
            },
        }
    },
    "/api/radio": {
        "post": {
            "operationId": "radio_create",
            "summary": "A radio station: songs to play one after another after the seeds",
            "description": (
                "Each song is the model's next song after the station so far, never a song "
                "twice, no artist again within artist_gap songs, tilted by familiarity."
            ),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("RadioRequest")}},
            },
            "responses": {
                "200": _json(_ref("RadioResponse"), "The seeds and the station in play order."),
                **_errors("400", "404", "405", "413", "422", "429", "503"),
            },
        }
    },
    **{
        f"/api/playlists/export.{extension}": _export_path(extension) for extension in _EXPORT_MEDIA
    },
    "/api/models/active": {
        "get": {
            "operationId": "model_active",
            "summary": "The model version serving the answers",
            "responses": {
                "200": _json(_ref("ModelVersion"), "Its hyperparameters and metrics."),
                **_errors("405", "429", "503"),
            },
        }
    },
    "/api/map": {
        "get": {
            "operationId": "embedding_map",
            "summary": "A 2D projection (PCA) of the most played songs' vectors",
            "responses": {
                "200": _json(_ref("MapResponse"), "Coordinates, main tags, titles, artists."),
                **_errors("405", "429", "503"),
            },
        }
    },
    "/api/schema": {
        "get": {
            "operationId": "schema",
            "summary": "This document (OpenAPI 3.1)",
            "responses": {
                "200": _json({"type": "object"}, "The OpenAPI document."),
                **_errors("405", "429"),
            },
        }
    },
    "/healthz": {
        "get": {
            "operationId": "health",
            "summary": "Database reachable and a model loaded",
            "responses": {
                "200": _json(
                    _ref("Health"), "Answering; says which version serves (ok or degraded)."
                ),
                "405": _ERRORS["405"],
                "503": _json(_ref("Health"), "Unhealthy: no model active or database down."),
            },
        }
    },
}


def openapi_schema(*, base_url: str = "") -> dict[str, Any]:
    """The OpenAPI document; `base_url` becomes its one server entry when given."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "songrec API",
            "version": "1",
            "description": (
                "Song recommendations learned from radio playlists (the Cornell Yes.com data "
                "set). Every answer comes from the active model version, named in "
                'model_version. Errors are JSON: {"error": {"code", "message"}}.'
            ),
        },
        "paths": copy.deepcopy(_PATHS),
        "components": {
            "schemas": copy.deepcopy(_SCHEMAS),
            "responses": copy.deepcopy(_RESPONSES),
        },
    }
    if base_url:
        document["servers"] = [{"url": base_url}]
    return document
