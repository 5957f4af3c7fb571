from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bounty.models import Competition, QuotaLedger, Team


@dataclass(frozen=True)
class QuotaUsage:
    used_today: int
    daily_limit: int
    used_total: int
    total_limit: int


def quota_usage(*, team: Team, competition: Competition, now: datetime) -> QuotaUsage:
    """What the team has used of its quotas today (UTC) and in total."""
    rows = QuotaLedger.objects.filter(team=team, day__isnull=True) | QuotaLedger.objects.filter(
        team=team, day=QuotaLedger.day_of(now)
    )
    used = {row.day is None: row.used for row in rows}
    return QuotaUsage(
        used_today=used.get(False, 0),
        daily_limit=competition.daily_quota,
        used_total=used.get(True, 0),
        total_limit=competition.total_quota,
    )
