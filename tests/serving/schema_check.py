"""Checks a real API response against what the generated OpenAPI document (from
recommender/api/schemas.py) says that endpoint answers."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from recommender.api import openapi_document

_DOCUMENT = openapi_document()
_URI = "urn:songrec:openapi"
_REGISTRY = Registry().with_resource(
    _URI, Resource.from_contents(_DOCUMENT, default_specification=DRAFT202012)
)


def documented_schema(route: str, method: str, status: int) -> dict[str, Any]:
    operation = _DOCUMENT["paths"][route][method.lower()]
    response = operation["responses"].get(str(status))
    assert response is not None, f"{method.upper()} {route} does not document status {status}"
    if "$ref" in response:
        response = _DOCUMENT["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response["content"]["application/json"]["schema"]


def assert_documented(response: HttpResponseBase, route: str, method: str = "get") -> Any:
    """The response is JSON, its status is documented for the route, its body fits the schema."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()  # type: ignore[attr-defined]
    schema = documented_schema(route, method, response.status_code)
    if "$ref" in schema:
        schema = {"$ref": _URI + schema["$ref"]}
    validator = Draft202012Validator(schema, registry=_REGISTRY)
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.path))
    assert not errors, f"{method.upper()} {route} -> {response.status_code}: " + "; ".join(
        f"{list(error.path)}: {error.message}" for error in errors
    )
    return body
