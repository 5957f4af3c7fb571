"""Submission quotas, enforced by the database (see ``bounty.models.quota``).

``quota_take`` charges a new submission to its team's daily and total ledgers inside the caller's
transaction; ``quota_refund`` gives the slot back when a submission ends ``failed`` (a platform
failure) or ``cancelled``. Participant-caused rejections keep their slot.
"""

from __future__ import annotations

from datetime import date

from django.db.models import F, Q

from bounty.errors import DomainError
from bounty.models import QuotaLedger, Submission, Team


def quota_take(*, submission: Submission) -> None:
    """Take one slot of the team's total and daily quotas for ``submission`` (call inside the
    transaction that creates it); ``quota_exceeded`` (429) when either is used up."""
    competition = submission.competition
    day = QuotaLedger.day_of(submission.created_at)
    if not _take(team=submission.team, day=None, limit=competition.total_quota):
        raise DomainError("quota_exceeded", f"Your team has used all {competition.total_quota} submissions.")
    if not _take(team=submission.team, day=day, limit=competition.daily_quota):
        raise DomainError(
            "quota_exceeded",
            f"Your team has used its {competition.daily_quota} submissions for today (UTC).",
        )


def _take(*, team: Team, day: date | None, limit: int) -> bool:
    # get_or_create creates the row under a savepoint; when a concurrent transaction inserted it
    # first, the unique constraint raises IntegrityError and get_or_create reads that row instead.
    row, _ = QuotaLedger.objects.get_or_create(team=team, day=day, defaults={"used": 0, "limit": limit})
    # One conditional UPDATE: the row lock serializes concurrent takers and ``used < limit`` is
    # re-checked on the locked row, so rowcount 0 means the quota is used up.
    taken = QuotaLedger.objects.filter(pk=row.pk, used__lt=limit).update(used=F("used") + 1, limit=limit)
    return taken == 1


def quota_refund(*, submission: Submission) -> None:
    """Give back the slot ``submission`` took, in the transaction that moved it to ``failed`` or
    ``cancelled`` (call once per submission: both moves are conditional status updates)."""
    day = QuotaLedger.day_of(submission.created_at)
    rows = QuotaLedger.objects.filter(Q(day=day) | Q(day__isnull=True), team_id=submission.team_id)
    rows.filter(used__gt=0).update(used=F("used") - 1)
