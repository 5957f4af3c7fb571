"""Reward programs and the payout ledger.

A program says what the competition pays: an award per accepted update (its public gain in percentage
points times a rate, between a floor and a cap), an award per accepted finding by severity tier, the pool
and the payout date. The ledger is append-only in amounts: every award, reversal and correction is a new
``LedgerEntry``; an entry's amount is never edited. An award that would take the committed total past the
pool is written ``queued`` for an organizer to release or decline; that, a withdrawal of a queued award
whose credit went, and the payment mark are the only changes an entry sees, each made once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RewardProgram(models.Model):
    competition = models.OneToOneField(
        "bounty.Competition", on_delete=models.PROTECT, related_name="reward_program"
    )
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, such as USD or EUR.")
    pool = models.DecimalField(max_digits=12, decimal_places=2)
    update_rate = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Per percentage point of an update's public gain."
    )
    update_floor = models.DecimalField(max_digits=12, decimal_places=2)
    update_cap = models.DecimalField(max_digits=12, decimal_places=2)
    tiers = models.JSONField(
        default=list, blank=True, help_text='[{"name": "High", "min_gap": 0.1, "amount": "500.00"}, ...]'
    )
    known_rewarded = models.BooleanField(
        default=False, help_text="Findings an Explore slice already listed earn their tier's reward too."
    )
    payout_date = models.DateField()
    scope = models.TextField(blank=True, help_text="Markdown: what is in scope.")
    disclosure = models.TextField(blank=True, help_text="Markdown: what a participant may publish, and when.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pool__gte=0), name="program_pool_nonnegative"),
            models.CheckConstraint(
                condition=Q(
                    update_rate__gte=0, update_floor__gte=0, update_cap__gte=models.F("update_floor")
                ),
                name="program_update_award_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"program of {self.competition_id} ({self.pool} {self.currency})"


class EntryKind(models.TextChoices):
    UPDATE = "update", "Award for an accepted update"
    FINDING = "finding", "Award for an accepted finding"
    REVERSAL = "reversal", "Reversal"
    CORRECTION = "correction", "Correction by an organizer"


class EntryStatus(models.TextChoices):
    COMMITTED = "committed", "Committed"
    QUEUED = "queued", "Queued: the pool is committed; waiting for an organizer"
    DECLINED = "declined", "Declined by an organizer"
    WITHDRAWN = "withdrawn", "Withdrawn: its credit went before it was released"


class LedgerEntry(models.Model):
    Kind = EntryKind
    Status = EntryStatus

    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    team = models.ForeignKey("bounty.Team", on_delete=models.PROTECT, related_name="ledger_entries")
    submission = models.ForeignKey(
        "bounty.Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.COMMITTED)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["competition", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in EntryStatus]), name="ledger_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["update", "finding"], amount__gt=0)
                | Q(kind="reversal", amount__lt=0)
                | Q(kind="correction"),
                name="ledger_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="committed") | Q(kind__in=["update", "finding"]),
                name="ledger_only_awards_wait",
            ),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(status="committed"), name="ledger_paid_only_committed"
            ),
        ]
        indexes = [models.Index(fields=["competition", "team", "status"], name="ledger_team_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} to {self.team_id} ({self.status})"


class TeamShare(models.Model):
    """A member's weight in the split of the team's rewards (no rows: equal shares)."""

    team = models.ForeignKey("bounty.Team", on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveIntegerField()

    class Meta:
        ordering = ["team", "user"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="share_one_per_member")]

    def __str__(self) -> str:
        return f"{self.user_id} weighs {self.weight} in {self.team_id}"
