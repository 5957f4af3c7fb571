"""A last-mile audit: a user's own labelled data, scored by a model version, reported by attribute.

The data are stored under the data dir (``audits/<id>/``) and never join the competition's splits;
``report`` is a ``scoring.report.Report`` as JSON. ``public`` audits are shown on the competition page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LastMileAudit(models.Model):
    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.PROTECT, related_name="last_mile_audits"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="last_mile_audits"
    )
    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(help_text="The model version that was audited.")
    rows = models.PositiveIntegerField()
    file_sha256 = models.CharField(max_length=64)
    report = models.JSONField(default=dict)
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["competition", "public"], name="last_mile_public_idx")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"
