"""A message for one person, shown on their next page view until they dismiss it (the same words
also go out by email): why their credit changed, or that their team was disqualified."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    competition = models.ForeignKey(
        "bounty.Competition", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    link = models.CharField(max_length=300, blank=True, help_text="A page of the site about it.")
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "dismissed_at"], name="notice_unread_idx")]

    def __str__(self) -> str:
        return f"notice to {self.user_id}: {self.text[:40]}"
