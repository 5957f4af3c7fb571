from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from bounty.models import Competition, QuotaLedger, Team
from bounty.selectors.competitions import AnyUser, membership_get


@dataclass(frozen=True)
class QuotaUsage:
    used_today: int
    daily_limit: int
    used_total: int
    total_limit: int

    @property
    def left_today(self) -> int:
        return max(0, min(self.daily_limit - self.used_today, self.total_limit - self.used_total))

    @property
    def left_total(self) -> int:
        return max(0, self.total_limit - self.used_total)


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


def team_quota(*, competition: Competition, user: AnyUser) -> QuotaUsage | None:
    """The quotas of the user's team in the competition, now (None without a team)."""
    membership = membership_get(competition=competition, user=user)
    if membership is None:
        return None
    return quota_usage(team=membership.team, competition=competition, now=timezone.now())
