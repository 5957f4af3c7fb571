"""HTTP hardening middleware: a strict Content-Security-Policy and a cap on request bodies.

- ``ContentSecurityPolicyMiddleware`` sets ``settings.BOUNTY_CONTENT_SECURITY_POLICY`` on every
  response that has none (Django 5.2 has no built-in CSP). The default policy allows scripts, styles,
  images and fetches from our own origin only: no inline ``<script>``/``<style>``, no ``style=`` or
  ``on*=`` attributes, no ``javascript:`` URLs, no framing (``tests/platform/test_deploy_settings.py``
  checks the templates).
- ``RequestSizeLimitMiddleware`` answers 413 (``request_too_large``: JSON under ``/api/``, the error
  page elsewhere) to a request whose declared body is larger than ``max_request_bytes(path)``, before
  anything reads it (so a huge upload is never spooled to disk). Organizers' data uploads (the
  wizard's data step, ``/api/v1/organize/...``) may send up to ``settings.BOUNTY_DATA_MAX_BYTES``,
  every other address ``settings.BOUNTY_MAX_REQUEST_BYTES``. Bodies without a ``Content-Length`` are
  read as empty by Django's WSGI handler.

  The refusal sets no ``Connection`` header: it is hop-by-hop, which a WSGI application may not send
  (``runserver``'s wsgiref handler fails with a 500 on it, gunicorn drops it). The servers deal with
  the unread body themselves: ``runserver`` reads and discards it after sending the 413; gunicorn
  sends the 413, half-closes and drains at most 64 KB before closing, so a client still sending a
  body of several MB gets a broken pipe: ``requests`` and ``curl`` then read the 413, a client that
  gives up at the first send error (``http.client``) does not. A proxy in front (nginx's
  ``client_max_body_size``) can refuse such bodies first.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from bounty.errors import DomainError
from bounty.middleware import domain_error_response

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
CSP_HEADER = "Content-Security-Policy"

DEFAULT_DATA_MAX_BYTES = 8 * 1024**3
# Organizers' data uploads, allowed up to BOUNTY_DATA_MAX_BYTES: the API's organizer addresses and
# the wizard's data step (and its old address, which redirects with a 308 that posts the body again).
DATA_UPLOAD_PREFIXES = ("/api/v1/organize/",)
DATA_UPLOAD_VIEWS = frozenset({"wizard:data", "legacy_wizard_data"})


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


def is_data_upload(path: str) -> bool:
    """Whether ``path`` (a request's ``path_info``, e.g. ``/wizard/3/data/``) takes organizer data."""
    if path.startswith(DATA_UPLOAD_PREFIXES):
        return True
    try:
        return resolve(path).view_name in DATA_UPLOAD_VIEWS
    except Resolver404:
        return False


def ordinary_max_bytes() -> int:
    default = 2 * int(settings.BOUNTY_MAX_MODEL_BYTES) + 1024 * 1024
    return int(getattr(settings, "BOUNTY_MAX_REQUEST_BYTES", 0) or default)


def data_max_bytes() -> int:
    return int(getattr(settings, "BOUNTY_DATA_MAX_BYTES", 0) or DEFAULT_DATA_MAX_BYTES)


def max_request_bytes(path: str | None = None) -> int:
    """The largest body accepted at ``path``; without a path, the limit of ordinary addresses."""
    if path is not None and is_data_upload(path):
        return data_max_bytes()
    return ordinary_max_bytes()


def size_text(size: int) -> str:
    """``size`` bytes in the largest unit that fits, rounded down to a tenth: ``"2 GB"``, ``"1.5 MB"``."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            tenths = math.floor(size * 10 / scale)
            whole, tenth = divmod(tenths, 10)
            return f"{whole}.{tenth} {unit}" if tenth else f"{whole} {unit}"
    return f"{size} bytes"


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        # A body under both limits (the common case) passes without its address being resolved.
        if length <= min(ordinary_max_bytes(), data_max_bytes()):
            return self.get_response(request)
        limit = max_request_bytes(request.path_info)
        if length <= limit:
            return self.get_response(request)
        return refuse_too_large(request, limit)


def refuse_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    error = DomainError("request_too_large", f"The request is larger than {size_text(limit)}.")
    response = domain_error_response(request, error)
    # The CSP middleware runs inside this one, so it never sees this answer.
    if CSP_HEADER not in response:
        response[CSP_HEADER] = content_security_policy()
    return response
