"""A submission: a group (tree or model file) and a model, decided in arrival order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from scoring.errors import Reason

REASON_CHOICES = [("", "—")] + [(r.value, r.value.replace("_", " ")) for r in Reason]


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    EVALUATED = "evaluated", "Evaluated"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    DECLINED = "declined", "Declined by an organizer"


class SubmissionKind(models.TextChoices):
    PAIR = "pair", "A group and a model"
    FINDING = "finding", "A finding: a group alone"


class Submission(models.Model):
    Status = SubmissionStatus
    Kind = SubmissionKind

    # A pair awaiting approval blocks later decisions, like an evaluated one (arrival order holds).
    PENDING = (Status.QUEUED, Status.RUNNING, Status.EVALUATED, Status.AWAITING_APPROVAL)
    DECIDED = (Status.ACCEPTED, Status.REJECTED)

    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.PROTECT, related_name="submissions"
    )
    team = models.ForeignKey("bounty.Team", on_delete=models.PROTECT, related_name="submissions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    seq = models.PositiveIntegerField(help_text="Arrival number within the competition.")
    kind = models.CharField(max_length=8, choices=SubmissionKind.choices, default=SubmissionKind.PAIR)
    group_tree = models.JSONField(null=True, blank=True)
    group_text = models.TextField(blank=True)
    description = models.CharField(
        max_length=500, blank=True, default="", help_text="The participant's own note on the pair."
    )
    group_model_sha256 = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    model_sha256 = models.CharField(max_length=64, blank=True)
    model_format = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=32, choices=REASON_CHOICES, blank=True, default="")
    message = models.TextField(blank=True, help_text="Safe to show the participant.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the current claim began.")
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="The last renewal of the claim's lease (bounty.lifecycle.lease)."
    )
    evaluated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the evaluation of the last claim ended (operators' metrics)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    checked_version = models.PositiveIntegerField(null=True, blank=True)
    figures = models.JSONField(
        default=dict, blank=True, help_text="Organizers only: mass, losses, gain, se, margin."
    )
    public_gain = models.FloatField(
        null=True, blank=True, help_text="Gain rounded down to a multiple of alpha (accepted)."
    )

    class Meta:
        ordering = ["competition", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "seq"], name="submission_seq_unique"),
            models.CheckConstraint(
                condition=(
                    Q(group_tree__isnull=False, group_model_sha256__isnull=True)
                    | Q(group_tree__isnull=True, group_model_sha256__isnull=False)
                ),
                name="submission_one_group_form",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SubmissionStatus]), name="submission_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=[value for value, _ in REASON_CHOICES]),
                name="submission_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(public_gain__isnull=True) | Q(status="accepted", public_gain__gte=0),
                name="submission_public_gain_only_accepted",
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="submission_seq_positive"),
            models.CheckConstraint(
                condition=Q(kind="pair") & ~Q(model_sha256="")
                | Q(kind="finding", model_sha256="", group_tree__isnull=False),
                name="submission_kind_has_its_parts",
            ),
        ]
        indexes = [
            models.Index(fields=["competition", "status", "seq"], name="submission_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.team} ({self.status})"

    @property
    def is_finding(self) -> bool:
        return self.kind == SubmissionKind.FINDING

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING
