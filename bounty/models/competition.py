"""A competition: its data schema, loss, bounty parameters, quotas, terms and current state."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class CompetitionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class TaskKind(models.TextChoices):
    BINARY = "binary", "Binary classification"
    MULTICLASS = "multiclass", "Multiclass classification"
    REGRESSION = "regression", "Regression"


class Competition(models.Model):
    """One bias bounty.

    ``data_card`` is free JSON shown on the competition page; the keys the templates know are
    ``rows`` (``{"train": int, "holdout": int, "confirmation": int}``), ``attributes`` (a list
    of column names) and ``base_model`` (a sentence describing the base model).
    """

    Status = CompetitionStatus
    TaskKind = TaskKind

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    rules = models.TextField(blank=True, help_text="Markdown.")
    schema = models.JSONField(default=dict, help_text="scoring.schema.Schema.to_json()")
    task = models.CharField(max_length=16, choices=TaskKind.choices)
    loss = models.CharField(max_length=64, help_text="Loss name (scoring.losses).")
    loss_params = models.JSONField(default=dict, blank=True)
    alpha = models.FloatField(help_text="Minimum gain (share of loss) to accept an update.")
    mu_min = models.FloatField(help_text="Minimum share of holdout rows in a group.")
    z = models.FloatField(default=0.0, help_text="Standard errors of margin on the gain.")
    daily_quota = models.PositiveIntegerField(default=5, help_text="Submissions per team per UTC day.")
    total_quota = models.PositiveIntegerField(default=100, help_text="Submissions per team.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    terms_text = models.TextField(blank=True, help_text="Markdown.")
    terms_version = models.PositiveIntegerField(default=1)
    organizers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="organized_competitions", blank=True
    )
    head_version = models.PositiveIntegerField(default=0)
    manual_approval = models.BooleanField(
        default=False, help_text="Accepted pairs wait for an organizer's approval before they are merged."
    )
    team_approval = models.BooleanField(
        default=False, help_text="A team may submit only once an organizer has approved it."
    )
    next_seq = models.PositiveIntegerField(default=1, help_text="The next arrival number.")
    shard_rows = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Longer hidden splits are scored in parallel shards (default: BOUNTY_SHARD_ROWS).",
    )
    data_card = models.JSONField(default=dict, blank=True)
    base_holdout_loss = models.FloatField(null=True, blank=True)
    current_holdout_loss = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(alpha__gt=0), name="competition_alpha_positive"),
            models.CheckConstraint(
                condition=Q(mu_min__gt=0, mu_min__lte=1), name="competition_mu_min_in_0_1"
            ),
            models.CheckConstraint(condition=Q(z__gte=0), name="competition_z_nonnegative"),
            models.CheckConstraint(
                condition=Q(daily_quota__gte=1, total_quota__gte=1),
                name="competition_quotas_at_least_one",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="competition_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in CompetitionStatus]), name="competition_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(task__in=[t.value for t in TaskKind]), name="competition_task_valid"
            ),
            models.CheckConstraint(
                condition=Q(terms_version__gte=1, next_seq__gte=1),
                name="competition_counters_positive",
            ),
            models.CheckConstraint(
                condition=Q(shard_rows__isnull=True) | Q(shard_rows__gte=1),
                name="competition_shard_rows_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def accepts_submissions(self, now: datetime) -> bool:
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at
