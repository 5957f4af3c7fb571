"""How accepted updates stand after organizer actions, and disqualified teams.

An accepted submission without an ``UpdateStanding`` row counts and is not confirmed yet. Organizer
actions (roll back, disqualify, confirm) write a row for every accepted submission of the competition,
from the engine's account of which updates count at the new head.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DroppedBecause(models.TextChoices):
    NOT_DROPPED = "", "—"
    ROLLED_BACK = "rolled_back", "Undone by a rollback"
    DISQUALIFIED = "disqualified", "Team disqualified"
    REJECTED_ON_REPLAY = "rejected_on_replay", "Rejected when the model was rebuilt"


class UpdateStanding(models.Model):
    Dropped = DroppedBecause

    submission = models.OneToOneField("bounty.Submission", on_delete=models.PROTECT, related_name="standing")
    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.PROTECT, related_name="update_standings"
    )
    counts = models.BooleanField(default=True, help_text="Its update is part of the current model.")
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The update's version in the current model (when it counts)."
    )
    dropped = models.CharField(max_length=24, choices=DroppedBecause.choices, blank=True, default="")
    dropped_in = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version whose making took the update out of the model."
    )
    confirmed_gain = models.FloatField(
        null=True, blank=True, help_text="Organizers only: the update's gain on the confirmation split."
    )
    confirmed = models.BooleanField(null=True, blank=True, help_text="Confirmed gain > 0.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["competition", "submission"]
        constraints = [
            models.CheckConstraint(
                condition=Q(counts=True, dropped="") | Q(counts=False) & ~Q(dropped=""),
                name="standing_dropped_iff_not_counting",
            ),
            models.CheckConstraint(
                condition=Q(counts=True, dropped_in__isnull=True) | Q(counts=False),
                name="standing_dropped_in_only_when_dropped",
            ),
            models.CheckConstraint(
                condition=Q(confirmed__isnull=True) | Q(confirmed_gain__isnull=False),
                name="standing_confirmed_has_gain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {'counts' if self.counts else self.dropped}"


class Disqualification(models.Model):
    team = models.OneToOneField("bounty.Team", on_delete=models.PROTECT, related_name="disqualification")
    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.PROTECT, related_name="disqualifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The head version the rebuilt model became."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.team_id} disqualified"
