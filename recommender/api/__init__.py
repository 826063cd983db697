"""The JSON API on django-ninja: schemas.py (requests and responses, the limits imported once),
endpoints.py (thin views), payloads.py (the answers as dicts), errors.py (the one error body),
ninja_api.py (renderer, parser, the generated document)."""

from recommender.api.endpoints import EXPORT_FORMATS, health, unknown_endpoint
from recommender.api.ninja_api import api, openapi_document
from recommender.api.payloads import recommendation_json, song_json

# health and recommendation_json: for bench/ (the bare reference and the in-process timing).
__all__ = [
    "EXPORT_FORMATS",
    "api",
    "health",
    "openapi_document",
    "recommendation_json",
    "song_json",
    "unknown_endpoint",
]
