"""The versions of a competition's global model (a pointer decision list, kept by the engine)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class VersionKind(models.TextChoices):
    BASE = "base", "Base model"
    UPDATE = "update", "Update"
    REPAIR = "repair", "Repair"
    ROLLBACK = "rollback", "Rollback"  # predicts exactly as ``target_version`` did


class ModelVersion(models.Model):
    Kind = VersionKind

    competition = models.ForeignKey("bounty.Competition", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    parent = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    label = models.CharField(max_length=200, blank=True)
    submission = models.ForeignKey(
        "bounty.Submission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
    )
    target_version = models.PositiveIntegerField(null=True, blank=True)
    gain = models.FloatField(null=True, blank=True)
    holdout_loss = models.FloatField()
    confirmation_loss = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["competition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "number"], name="model_version_number_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in VersionKind]), name="model_version_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="base", parent__isnull=True) | (~Q(kind="base") & Q(parent__lt=models.F("number")))
                ),
                name="model_version_parent_precedes",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["repair", "rollback"], target_version__isnull=False)
                    | (~Q(kind__in=["repair", "rollback"]) & Q(target_version__isnull=True))
                ),
                name="model_version_repair_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} ({self.kind})"
