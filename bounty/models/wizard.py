"""A competition being set up in the create-competition wizard: its step and choices so far.

The uploaded files, their raw and typed columns and the base model live in the data dir
(``drafts/<id>/``, see ``bounty.services.wizard``); ``state`` keeps what the reader found and what the
organizer chose (JSON); ``job`` is the background step running or last run (``bounty.services.draft_jobs``):
its name, status, progress and outcome, written only by that job.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DraftStep(models.TextChoices):
    DATA = "data", "Data"
    PROBLEMS = "problems", "Values"
    SCHEMA = "schema", "Schema"
    MODEL = "model", "Base model"
    RULES = "rules", "Rules"
    REVIEW = "review", "Review"
    DONE = "done", "Created"


class CompetitionDraft(models.Model):
    Step = DraftStep

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competition_drafts"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64)
    step = models.CharField(max_length=12, choices=Step.choices, default=Step.DATA)
    state = models.JSONField(default=dict, blank=True)
    job = models.JSONField(default=dict, blank=True)
    competition = models.ForeignKey(
        "bounty.Competition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=[s.value for s in DraftStep]), name="draft_step_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.step})"
