"""A model fitted for a participant on the site, without code (``scoring.fitting``): the group, the
family and setting chosen from the menu, the estimate on held-out train rows, and the model file once
fitted (an artifact by sha256). Submitting it makes an ordinary submission (same checks and quota)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bounty.models.landscape import JobStatus


class FitJob(models.Model):
    Status = JobStatus

    competition = models.ForeignKey("bounty.Competition", on_delete=models.CASCADE, related_name="fit_jobs")
    team = models.ForeignKey("bounty.Team", on_delete=models.CASCADE, related_name="fit_jobs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group_text = models.TextField()
    group_tree = models.JSONField()
    family = models.CharField(max_length=40)
    choice = models.CharField(max_length=40)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    estimate = models.JSONField(null=True, blank=True)
    model_sha = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    submission = models.ForeignKey(
        "bounty.Submission", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "created_at"], name="fit_team_recent_idx")]

    def __str__(self) -> str:
        return f"fit {self.pk} ({self.family}) for team {self.team_id}"
