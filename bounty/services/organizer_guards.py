"""Checks every organizer action makes: who may act, that a reason is given, and the competition lock."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import F

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


def competition_lock(competition_id: int) -> Competition:
    """Take the competition's decision lock (call inside a transaction) and return the fresh row.

    The same row update ``bounty.services.scoring`` takes before deciding, so organizer actions and
    decisions are serialized per competition on every database.
    """
    Competition.objects.filter(pk=competition_id).update(head_version=F("head_version"))
    return Competition.objects.get(pk=competition_id)
