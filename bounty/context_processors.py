"""What every page's frame shows: the signed-in person's undismissed notices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bounty.selectors.notices import notices_unread


def notices(request: HttpRequest) -> dict[str, Any]:
    return {"notices": notices_unread(user=request.user)}
