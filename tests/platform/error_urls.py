"""The site's URLs plus two that fail on purpose, for the error-page tests (platform and browser)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from bounty.urls import urlpatterns as site


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate crash for the error-page tests")


urlpatterns = [path("test-errors/403/", forbidden), path("test-errors/500/", crash), *site]
