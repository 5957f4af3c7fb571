"""What every page's frame shows: the signed-in person's undismissed notices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bounty.selectors.notices import notices_unread


def notices(request: HttpRequest) -> dict[str, Any]:
    # A page rendered before authentication ran (a request refused for its size) has no user yet.
    user = getattr(request, "user", None)
    return {"notices": notices_unread(user=user) if user is not None else []}
