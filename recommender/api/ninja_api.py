"""The NinjaAPI the endpoints hang on: orjson answers, bodies read also when chunked, JSON 405s,
and the generated OpenAPI document (cached: it is the same for the process' life)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.renderers import BaseRenderer

from config.errors import error_response, json_bytes
from recommender.api.errors import add_error_handlers, max_body
from recommender.api.schemas import EMPTY_IS_DEFAULT

DESCRIPTION = (
    "Song recommendations learned from radio playlists (the Cornell Yes.com data set). Every "
    "answer comes from the active model version, named in model_version. Errors are JSON: "
    '{"error": {"code", "message"}}.'
)
View = Callable[..., HttpResponseBase]
# The order in which Allow lists methods.
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return json_bytes(data)


class JsonBodyParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        # The standard library's parser: orjson refuses integers past 64 bits, which a schema
        # "integer" allows (an unknown seed id is a warning, not a malformed body).
        return json.loads(request.body)  # type: ignore[no-any-return]


def _raw_body(request: HttpRequest) -> bytes:
    """The request body, also when it came chunked (no Content-Length)."""
    meta = request.META
    chunked = meta.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
    if not chunked or meta.get("CONTENT_LENGTH"):
        return request.body
    # Django reads Content-Length bytes, so none of a chunked body. Gunicorn de-chunks
    # wsgi.input and ends it after the last chunk; read one byte past the limit to know.
    raw = meta["wsgi.input"].read(max_body() + 1)
    if len(raw) > max_body():
        raise RequestDataTooBig
    return bytes(raw)


def _json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja's 405 is plain text: the API's is JSON, with Allow."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        given = {method.strip() for method in response["Allow"].split(",")}
        allowed = ", ".join(method for method in _METHODS if method in given)
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed here; use {allowed.replace(', HEAD', '')}.",
            headers={"Allow": allowed},
        )

    return wrapper


class SongrecApi(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # URL name (the operation's function name) -> what wraps its view (api/fast_path.py).
        self.fast_paths: dict[str, Callable[[View], View]] = {}

    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        # ninja reads request.body, which is empty for a chunked body: read it here, once, the
        # first thing ninja does with a request (an over-long one raises the 413).
        if request.method == "POST":
            request._body = _raw_body(request)  # type: ignore[attr-defined]
        return super().create_temporal_response(request)

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        # Never cached: answers change when another version is active.
        response["Cache-Control"] = "no-store"
        return response

    def get_content_type(self) -> str:
        # JSON is UTF-8 by definition (RFC 8259 defines no charset parameter): the header the
        # API always sent, for the answers ninja writes and those config/errors.py writes.
        return "application/json"

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns = []
        for pattern in super()._get_urls():
            # ninja's root page would take the site's home ("" is the API's root here).
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                continue
            if isinstance(pattern, URLPattern):
                fast = self.fast_paths.get(pattern.name or "")
                view = fast(pattern.callback) if fast else pattern.callback
                pattern.callback = _json_405(view)
            patterns.append(pattern)
        return patterns


api = SongrecApi(
    title="songrec API",
    version="1",
    description=DESCRIPTION,
    renderer=OrjsonRenderer(),
    parser=JsonBodyParser(),
    # /api/schema and /api/docs are routes of their own (recommender/api/endpoints.py, views.py).
    openapi_url=None,
    docs_url=None,
    urls_namespace="api",
)
add_error_handlers(api)


@cache
def _document() -> dict[str, Any]:
    # Through JSON once: status keys become the strings a client reads (ninja's are ints).
    document: dict[str, Any] = json.loads(json_bytes(api.get_openapi_schema(path_prefix="")))
    for methods in document["paths"].values():
        # HEAD is served wherever GET is, as HTTP wants; the document lists GET.
        methods.pop("head", None)
        for operation in methods.values():
            # ninja writes "parameters": [] for an operation without any; a reader (and the
            # fuzz test) takes the key to mean the operation has input.
            if operation.get("parameters") == []:
                del operation["parameters"]
            for parameter in operation.get("parameters", []):
                if parameter.get("schema", {}).pop(EMPTY_IS_DEFAULT, False):
                    parameter["allowEmptyValue"] = True
    return document


def openapi_document(*, base_url: str = "") -> dict[str, Any]:
    """The OpenAPI document generated from the schemas; `base_url` becomes its one server."""
    document = copy.deepcopy(_document())
    if base_url:
        document["servers"] = [{"url": base_url}]
    return document
