"""Checks every organizer action makes: who may act, and that a reason is given."""

from __future__ import annotations

from django.contrib.auth.models import User

from bounty.errors import DomainError
from bounty.models import Competition
from bounty.selectors.competitions import user_is_organizer

MAX_REASON = 2000


def organizer_required(*, competition: Competition, actor: User) -> None:
    """Only the competition's organizers (and staff) may act on it."""
    if not user_is_organizer(competition=competition, user=actor):
        raise DomainError("forbidden", "Only this competition's organizers can do this.")


def reason_required(text: str | None, *, field: str = "reason") -> str:
    """The stripped reason; every organizer action records why it was taken."""
    reason = (text or "").strip()
    if not reason:
        raise DomainError("reason_required", "Say why (the reason is kept in the audit log).", field=field)
    if len(reason) > MAX_REASON:
        raise DomainError("reason_too_long", f"Keep the reason under {MAX_REASON} characters.", field=field)
    return reason
