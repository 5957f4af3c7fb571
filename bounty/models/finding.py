"""An accepted finding: a group on which the model did worse than on the rest by the competition's beta,
verified on the holdout. The submission holds the group and its decision; this row holds what is
published of it (the gap at the published step), whether an Explore slice already listed it, and the
accepted pair that later fixed it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Finding(models.Model):
    submission = models.OneToOneField("bounty.Submission", on_delete=models.PROTECT, related_name="finding")
    competition = models.ForeignKey("bounty.Competition", on_delete=models.PROTECT, related_name="findings")
    version = models.PositiveIntegerField(help_text="The version the finding was checked against.")
    public_gap = models.FloatField(help_text="The gap rounded down to the competition's published step.")
    known = models.BooleanField(default=False, help_text="A public Explore slice already listed the group.")
    known_slice = models.CharField(max_length=500, blank=True, help_text="That slice, in the group language.")
    fixed_by = models.ForeignKey(
        "bounty.Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="fixes"
    )
    fixed_version = models.PositiveIntegerField(null=True, blank=True)
    gap_after = models.FloatField(
        null=True, blank=True, help_text="The gap once fixed, rounded down to the published step."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["competition", "submission"]
        constraints = [
            models.CheckConstraint(condition=Q(public_gap__gte=0), name="finding_public_gap_nonnegative"),
            models.CheckConstraint(
                condition=Q(fixed_by__isnull=True, fixed_version__isnull=True, gap_after__isnull=True)
                | Q(fixed_by__isnull=False, fixed_version__isnull=False, gap_after__isnull=False),
                name="finding_fix_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"finding {self.submission_id}"
