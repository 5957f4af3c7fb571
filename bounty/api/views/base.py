from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from bounty.models import Competition
from bounty.selectors.competitions import AnyUser, competition_get


def request_user(request: Request) -> AnyUser:
    """The requesting user, or an anonymous one."""
    user = request.user
    return user if isinstance(user, User) else AnonymousUser()


def logged_in_user(request: Request) -> User:
    """The requesting user (behind ``IsAuthenticated``)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


def visible_competition(request: Request, slug: str) -> Competition:
    """The competition if this user may see it (drafts only for their organizers); 404 otherwise."""
    return competition_get(slug=slug, user=request_user(request))
