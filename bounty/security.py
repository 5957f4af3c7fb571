"""HTTP hardening middleware: a strict Content-Security-Policy and a cap on request bodies.

- ``ContentSecurityPolicyMiddleware`` sets ``settings.BOUNTY_CONTENT_SECURITY_POLICY`` on every
  response that has none (Django 5.2 has no built-in CSP). The default policy allows scripts, styles,
  images and fetches from our own origin only: no inline ``<script>``/``<style>``, no ``style=`` or
  ``on*=`` attributes, no ``javascript:`` URLs, no framing (``tests/platform/test_deploy_settings.py``
  checks the templates).
- ``RequestSizeLimitMiddleware`` answers 413 to a request whose declared body is larger than
  ``settings.BOUNTY_MAX_REQUEST_BYTES``, before anything reads it (so a huge upload is never spooled
  to disk). Bodies without a ``Content-Length`` are read as empty by Django's WSGI handler.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from bounty.errors import DomainError
from bounty.middleware import domain_error_response

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP_HEADER = "Content-Security-Policy"


def content_security_policy() -> str:
    return str(getattr(settings, "BOUNTY_CONTENT_SECURITY_POLICY", "") or DEFAULT_POLICY)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = content_security_policy()
        return response


def max_request_bytes() -> int:
    default = 2 * int(settings.BOUNTY_MAX_MODEL_BYTES) + 1024 * 1024
    return int(getattr(settings, "BOUNTY_MAX_REQUEST_BYTES", 0) or default)


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = max_request_bytes()
        if declared_length(request) > limit:
            error = DomainError(
                "request_too_large",
                f"The request is larger than {limit // (1024 * 1024)} MB.",
            )
            response = domain_error_response(request, error)
            response["Connection"] = "close"
            return response
        return self.get_response(request)
