"""Confirmation: every counting update's gain on the hidden confirmation split.

The gain of an update is its drop of the confirmation loss, computed from the node patches (the cached
confirmation predictions before and after it; no model runs). An update is confirmed when that gain is
positive. Confirmation runs on demand, when the competition closes, and for an update accepted after the
close; after the close, leaderboard credit counts confirmed updates only (``bounty.selectors.leaderboard``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bounty.errors import DomainError
from bounty.lifecycle.lock import competition_lock
from bounty.lifecycle.standings import confirm_locked
from bounty.models import Competition
from bounty.services.audit import audit_record
from bounty.services.organizer_guards import organizer_required, reason_required

log = logging.getLogger(__name__)


def competition_confirm(*, competition: Competition, actor: User | None, reason: str = "") -> tuple[int, int]:
    """Confirm every counting update now; returns (confirmed, not confirmed).

    ``actor`` None is the platform itself (at the close); an organizer must give a reason.
    """
    if actor is not None:
        organizer_required(competition=competition, actor=actor)
        reason = reason_required(reason)
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        return confirm_locked(locked, actor=actor, reason=reason or "automatic")


def _close_locked(competition: Competition, actor: User | None, reason: str) -> None:
    Competition.objects.filter(pk=competition.pk).update(status=Competition.Status.CLOSED)
    competition.status = Competition.Status.CLOSED
    audit_record(action="competition.close", actor=actor, competition=competition, payload={"reason": reason})
    confirm_locked(competition, actor=None, reason="automatic, at the close")


def competition_close(*, competition: Competition, actor: User, reason: str) -> Competition:
    """Close the competition to submissions and confirm its updates."""
    organizer_required(competition=competition, actor=actor)
    reason = reason_required(reason)
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        if locked.status == Competition.Status.CLOSED:
            raise DomainError("already_closed", "This competition is already closed.")
        _close_locked(locked, actor, reason)
    competition.status = Competition.Status.CLOSED
    return competition


def competitions_close_due(now: datetime | None = None) -> list[int]:
    """Close every open competition whose closing time has passed, confirming its updates."""
    now = now or timezone.now()
    closed = []
    due = Competition.objects.filter(status=Competition.Status.OPEN, closes_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                locked = competition_lock(pk)
                if locked.status != Competition.Status.OPEN:
                    continue
                _close_locked(locked, None, "the closing time was reached")
        except Exception:  # one broken competition must not keep the others open
            log.exception("could not close competition %s", pk)
            continue
        closed.append(pk)
    return closed
