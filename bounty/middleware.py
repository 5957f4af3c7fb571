"""The last stop of a ``DomainError`` no view answered itself: JSON for the API, an error page otherwise.

Form views catch the errors of the services they call and show them next to the form
(``bounty.views.base.FormPage.refuse``); JSON views answer them with ``json_view``. What reaches this
middleware is a refusal before any form (no such competition, not allowed...).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bounty.errors import DomainError


def wants_json(request: HttpRequest) -> bool:
    """API paths, and callers that ask for JSON and not HTML."""
    accept = request.headers.get("Accept", "")
    if request.path.startswith("/api/"):
        return True
    return "application/json" in accept and "text/html" not in accept


def domain_error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    if wants_json(request):
        response: HttpResponse = JsonResponse({"error": error.as_dict()}, status=error.status)
    else:
        response = render(request, "error.html", {"error": error}, status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(max(1, error.retry_after))
    return response


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return domain_error_response(request, exception)
        return None
