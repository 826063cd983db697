"""/api/schema is an OpenAPI 3.1 document that covers every API route; /api/docs renders it."""

import re
from collections.abc import Iterable

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from jsonschema import Draft202012Validator

from recommender.api import openapi_document

pytestmark = pytest.mark.django_db


def _named_routes(patterns: Iterable[object], prefix: str = "") -> Iterable[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name is not None:
            yield prefix + str(pattern.pattern)


def api_routes() -> set[str]:
    """The app's API routes as OpenAPI paths (`<song_id>` or `<str:song_id>` -> `{song_id}`)."""
    routes = set()
    for route in _named_routes(get_resolver().url_patterns):
        route = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        if route.startswith("/api/") or route == "/healthz":
            routes.add(route)
    return routes


def test_every_api_route_is_documented_and_nothing_else(api: Client) -> None:
    document = api.get("/api/schema").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == api_routes() - {"/api/docs"}
    assert document["servers"] == [{"url": "http://testserver"}]


def test_every_schema_in_the_document_is_valid_json_schema() -> None:
    document = openapi_document()
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema), name


def test_every_reference_resolves() -> None:
    document = openapi_document()

    def refs(node: object):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in set(refs(document)):
        target: object = document
        for part in ref.removeprefix("#/").split("/"):
            assert isinstance(target, dict) and part in target, ref
            target = target[part]


def test_docs_page_lists_every_endpoint_and_error(api: Client) -> None:
    page = api.get("/api/docs").content.decode()
    document = openapi_document()
    for route, methods in document["paths"].items():
        for method in methods:
            assert f"<code>{route}</code>" in page
            assert f'id="{methods[method]["operationId"]}"' in page
    for status in ("400", "404", "405", "422", "503"):
        assert f"<code>{status}</code>" in page
    assert "schema-RecommendationIn" in page
    assert "cdn" not in page.lower() and "https://" not in page
