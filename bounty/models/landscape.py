"""Explore's answer for one version of a competition's global model (``scoring.explore``): where the
model does badly, by level, by pair of levels and by top slice. Computed once per version by a
worker (``bounty.services.landscapes``) and kept: a version never changes."""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    """Where a worker's job is: Explore's landscapes and fits without code."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Landscape(models.Model):
    class Kind(models.TextChoices):
        TRAIN = "train", "public train split"  # what participants see
        HOLDOUT = "holdout", "hidden holdout"  # organizers only

    Status = JobStatus

    competition = models.ForeignKey("bounty.Competition", on_delete=models.CASCADE, related_name="landscapes")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    data = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["competition", "version", "kind"], name="one_landscape_a_version")
        ]

    def __str__(self) -> str:
        return f"{self.kind} landscape of version {self.version} of competition {self.competition_id}"
