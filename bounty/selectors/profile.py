"""What a user's own account page shows: their teams with the competitions, the submissions they made,
their API token. Only ever the user's own things."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from bounty.models import Membership, Submission

RECENT_SUBMISSIONS = 50
TOKEN_PREFIX = 4  # characters of the key shown, enough to tell two tokens apart


@dataclass(frozen=True)
class TokenInfo:
    prefix: str
    created: datetime


@dataclass(frozen=True)
class Profile:
    user: User
    memberships: list[Membership]
    submissions: list[Submission]
    submission_count: int
    token: TokenInfo | None


def token_info(*, user: User) -> TokenInfo | None:
    token = Token.objects.filter(user=user).first()
    return None if token is None else TokenInfo(token.key[:TOKEN_PREFIX], token.created)


def profile_get(*, user: User) -> Profile:
    """``user``'s teams (newest first, with their competitions), the latest submissions they made
    themselves (with their competitions and standings, for the status badges) and their API token."""
    memberships = (
        Membership.objects.filter(user=user).select_related("team", "competition").order_by("-joined_at")
    )
    mine = Submission.objects.filter(author=user)
    recent = mine.select_related("competition", "team", "standing").order_by("-created_at", "-pk")
    return Profile(
        user=user,
        memberships=list(memberships),
        submissions=list(recent[:RECENT_SUBMISSIONS]),
        submission_count=mine.count(),
        token=token_info(user=user),
    )
