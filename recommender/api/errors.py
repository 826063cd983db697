"""The API's errors: each becomes config/errors.py's `{"error": {"code", "message"}}`.

A validation failure names its field in words a person reads ("k must be between 1 and 100."),
not pydantic's locations; a body that is not a JSON object is 400, any other failure 422.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from config.errors import error_response
from recommender import serving


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


# pydantic's own error types (the schemas raise their own, worded, for the rest).
_WORDS = {
    "missing": "is required",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "list_type": "must be a list of song ids",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "too_short": "must hold at least one song id",
    "too_long": "may hold at most {max_length} song ids",
    "string_too_long": "may be at most {max_length} characters",
}
# A failure located at the body itself, not at one of its fields.
_NOT_AN_OBJECT = {"missing", "model_type", "model_attributes_type", "dict_type"}


def _field(loc: Sequence[Any]) -> str:
    """("body", "payload", "seeds", 3) -> "every id in seeds"; ("query", "k") -> "k"."""
    names = [str(part) for part in loc[1:] if isinstance(part, str)]
    # A body model's parameter name comes first; the field is the last name.
    name = names[-1] if names else "the request"
    return f"every id in {name}" if isinstance(loc[-1], int) else name


def _sentence(error: dict[str, Any]) -> str:
    words = _WORDS.get(error["type"])
    text = words.format(**error.get("ctx", {})) if words else error["msg"]
    return f"{_field(error['loc'])} {text}."


def validation_error_response(errors: list[dict[str, Any]]) -> HttpResponse:
    body_errors = [error for error in errors if error["loc"][0] == "body"]
    if any(len(e["loc"]) <= 2 and e["type"] in _NOT_AN_OBJECT for e in body_errors):
        return error_response(400, "malformed_json", "The request body must be a JSON object.")
    unknown = sorted(str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        return error_response(422, "invalid_parameter", f"Unknown field(s): {', '.join(unknown)}.")
    code = "too_many_ids" if any(e["type"] == "too_long" for e in errors) else "invalid_parameter"
    return error_response(422, code, " ".join(_sentence(error) for error in errors))


def max_body() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def add_error_handlers(api: NinjaAPI) -> None:
    """Domain errors and ninja's own, mapped to statuses; anything else is Django's JSON 500.

    (ninja's stubs type a handler's exception as "instance or class": the ignores below.)
    """

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return validation_error_response(list(exc.errors))

    def on_unparsable(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja raises it with 400 when the parser fails: not JSON, not UTF-8, nested too deeply.
        if exc.status_code != 400:
            return error_response(exc.status_code, "bad_request", str(exc))
        return error_response(400, "malformed_json", "The request body must be JSON.")

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(
            413, "body_too_large", f"The request body may be at most {max_body()} bytes."
        )

    def on_unknown(request: HttpRequest, exc: serving.UnknownSongs) -> HttpResponse:
        return error_response(404, "not_found", f"{exc}.")

    def on_no_model(request: HttpRequest, exc: serving.NoActiveModel) -> HttpResponse:
        return error_response(
            503, "no_active_model", f"{exc}; an admin can train and activate one."
        )

    def to_django(request: HttpRequest, exc: Exception) -> HttpResponse:
        # ninja's default answers a traceback as text/plain when DEBUG is on. Raised on,
        # an error reaches Django's handling like any view's: a database outage becomes
        # DatabaseUnavailableMiddleware's 503, anything else the JSON 500, DEBUG or not.
        raise exc

    api.add_exception_handler(Exception, to_django)  # type: ignore[arg-type]
    api.add_exception_handler(ApiError, on_api_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_unparsable)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, on_too_big)  # type: ignore[arg-type]
    api.add_exception_handler(serving.UnknownSongs, on_unknown)  # type: ignore[arg-type]
    api.add_exception_handler(serving.NoActiveModel, on_no_model)  # type: ignore[arg-type]
