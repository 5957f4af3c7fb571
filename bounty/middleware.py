"""The one place where a ``DomainError`` becomes an HTTP response."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bounty.errors import DomainError


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    if getattr(request, "bounty_json", False) or request.path.startswith("/api/"):
        return True
    return "application/json" in accept and "text/html" not in accept


def domain_error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    """JSON for API and fetch calls; the form page again (error next to its field) when a view
    registered one with ``bounty.views.base.form_page``; an error page otherwise."""
    if wants_json(request):
        return JsonResponse({"error": error.as_dict()}, status=error.status)
    page = getattr(request, "bounty_form_page", None)
    if page is not None:
        page.add_error(error)
        return page.render(status=error.status)
    return render(request, "error.html", {"error": error}, status=error.status)


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return domain_error_response(request, exception)
        return None
