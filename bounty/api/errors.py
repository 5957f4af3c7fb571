"""The API's one error shape: ``{"error": {"code": str, "message": str, "field": str | null}}``.

``api_exception_handler`` is DRF's ``EXCEPTION_HANDLER``: every exception a view raises, expected or
not, becomes this shape. Unexpected ones are logged and answered with a generic 500.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from bounty.errors import ERROR_STATUS, DomainError

log = logging.getLogger(__name__)
NON_FIELD = "non_field_errors"
SERVER_ERROR_MESSAGE = "Something went wrong on our side. Please try again later."


@dataclass
class ApiError:
    status: int
    code: str
    message: str
    field: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response:
    error = classify(exc, context)
    if error.status >= 500:
        view = context.get("view")
        log.error("API error in %s", type(view).__name__, exc_info=exc)
    set_rollback()
    return Response(error.body(), status=error.status, headers=error.headers)


def classify(exc: Exception, context: Mapping[str, Any]) -> ApiError:
    if isinstance(exc, DomainError):
        detail = exc.as_dict()
        error = ApiError(exc.status, detail["code"], detail["message"], detail["field"])
        if exc.retry_after is not None:
            error.headers["Retry-After"] = str(max(1, exc.retry_after))
        return error
    if isinstance(exc, Http404):
        return _domain("not_found", "Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return _domain("permission_denied", "You do not have permission to do this.")
    if isinstance(exc, RequestDataTooBig):
        return _domain("request_too_large", "The request is too large.")
    if isinstance(exc, SuspiciousOperation):
        return _domain("request_malformed", "The request could not be understood.")
    if isinstance(exc, exceptions.ValidationError):
        return _validation_error(exc)
    if isinstance(exc, exceptions.APIException):
        return _api_exception(exc, context)
    return ApiError(500, "server_error", SERVER_ERROR_MESSAGE)


def _domain(code: str, message: str) -> ApiError:
    """Django's own refusals, answered with the status of their code in ``ERROR_STATUS``."""
    return ApiError(ERROR_STATUS[code], code, message)


def _api_exception(exc: exceptions.APIException, context: Mapping[str, Any]) -> ApiError:
    error = ApiError(exc.status_code, _code(exc), _first_message(exc.detail)[1] or str(exc))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            error.headers["WWW-Authenticate"] = str(auth_header)
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        error.headers["Retry-After"] = str(max(1, int(wait)))
    if isinstance(exc, exceptions.MethodNotAllowed):
        view = context.get("view")
        allowed = getattr(view, "allowed_methods", None)
        if allowed:
            error.headers["Allow"] = ", ".join(allowed)
    return error


_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.Throttled: "throttled",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.ParseError: "parse_error",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
}


def _code(exc: exceptions.APIException) -> str:
    for kind, code in _CODES.items():
        if isinstance(exc, kind):
            return code
    return str(exc.default_code)


def _validation_error(exc: exceptions.ValidationError) -> ApiError:
    path, message, code = _first_error(exc.detail)
    field_name = ".".join(path) if path and path[-1] != NON_FIELD else None
    return ApiError(400, code or "invalid", message or "The input is not valid.", field_name)


def _first_message(detail: Any) -> tuple[list[str], str]:
    path, message, _ = _first_error(detail)
    return path, message


def _first_error(detail: Any, path: list[str] | None = None) -> tuple[list[str], str, str]:
    """The path to, message and code of the first error in a (nested) DRF error detail."""
    path = path or []
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            found = _first_error(value, [*path, str(key)])
            if found[1]:
                return found
        return path, "", ""
    if isinstance(detail, list):
        for index, value in enumerate(detail):
            nested = isinstance(value, Mapping | list)
            found = _first_error(value, [*path, str(index)] if nested else path)
            if found[1]:
                return found
        return path, "", ""
    code = getattr(detail, "code", "") or ""
    return path, str(detail), str(code)
