"""A short-lived shared copy of public pages for visitors who are not signed in.

A page that names nobody (no session, no pending message, no query string) is the same for every such
visitor, so it is rendered once and served from the cache for ``BOUNTY_VISITOR_CACHE_SECONDS``; a
signed-in user, or anyone with a session or a message waiting, always gets a fresh page. Staleness is
bounded by that setting (0 turns the cache off).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages")


def shareable(request: HttpRequest) -> bool:
    """Whether the page for ``request`` can be the same for every visitor who sends it."""
    if request.method != "GET" or request.GET or int(settings.BOUNTY_VISITOR_CACHE_SECONDS) <= 0:
        return False
    return not any(name in request.COOKIES for name in PERSONAL_COOKIES)


def cached_for_visitors(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not shareable(request):
            return view(request, *args, **kwargs)
        key = f"visitor-page:{request.path}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            entry = (response.content, response["Content-Type"])
            cache.set(key, entry, int(settings.BOUNTY_VISITOR_CACHE_SECONDS))
        return response

    return wrapper
