"""Quota ledgers: how many submissions a team has used, per UTC day and in total.

A slot is taken with one conditional ``UPDATE ... SET used = used + 1 WHERE used < limit``, and the
database checks ``used <= limit``, so no number of concurrent submissions can pass a quota.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import models
from django.db.models import F, Q


class QuotaLedger(models.Model):
    """One row per (team, UTC day) for the daily quota and one row per team (``day`` null) for the
    total. ``limit`` is the competition's quota when the row was last charged."""

    team = models.ForeignKey("bounty.Team", on_delete=models.CASCADE, related_name="quota_ledgers")
    day = models.DateField(null=True, blank=True, help_text="UTC day; empty for the team's total.")
    used = models.PositiveIntegerField(default=0)
    limit = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team", "day"]
        constraints = [
            models.CheckConstraint(condition=Q(used__lte=F("limit")), name="quota_used_within_limit"),
            models.UniqueConstraint(
                fields=["team", "day"], condition=Q(day__isnull=False), name="quota_one_row_per_team_day"
            ),
            models.UniqueConstraint(
                fields=["team"], condition=Q(day__isnull=True), name="quota_one_total_row_per_team"
            ),
        ]

    def __str__(self) -> str:
        period = self.day.isoformat() if self.day else "total"
        return f"{self.team_id} {period}: {self.used}/{self.limit}"

    @staticmethod
    def day_of(moment: datetime) -> date:
        """The UTC day a submission made at ``moment`` is charged to."""
        return moment.astimezone(UTC).date()
