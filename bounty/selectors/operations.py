"""What operators watch, read from the database at scrape time: it holds the outcome of every process
on every host (web processes, workers anywhere), so one scrape sees them all and every figure agrees
with the pages.

- submissions by status (``queued``, ``running`` and ``evaluated`` are the queue);
- evaluations by outcome: ``evaluated`` (went on to be decided), ``refused`` (the engine or the sandbox
  said no, with a reason category) and ``failed`` (a platform failure);
- decisions by reason (``accepted``, ``insufficient_improvement``, ...);
- sandbox refusals by reason (the model broke a limit or failed to predict);
- reaped: claims the reaper took back from a silent worker (every claim past the first, and the
  submissions it failed when out of attempts);
- evaluation seconds (claim to evaluated) and decision seconds (evaluated to decided) as histograms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from bounty.models import AuditEvent, Submission
from scoring.errors import Reason

# What the check decides (the pair was evaluated); everything else ends an evaluation as a refusal.
DECISION_REASONS = [
    Reason.ACCEPTED,
    Reason.INSUFFICIENT_IMPROVEMENT,
    Reason.GROUP_TOO_SMALL,
    Reason.GAP_TOO_SMALL,
]
# The refusals of the sandbox that runs participants' models.
SANDBOX_REASONS = [Reason.TIMEOUT, Reason.RESOURCE_LIMIT, Reason.PREDICTION_ERROR, Reason.INVALID_MODEL]

BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


@dataclass(frozen=True)
class Histogram:
    buckets: list[tuple[float, int]]  # (upper bound, how many at or below it), cumulative
    count: int
    total_seconds: float


@dataclass(frozen=True)
class Operations:
    by_status: dict[str, int]
    evaluations: dict[str, int]
    decisions: dict[str, int]
    sandbox_refusals: dict[str, int]
    reaped: int
    evaluation_seconds: Histogram
    decision_seconds: Histogram


def _counts(rows: QuerySet[Submission], field: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in rows.values_list(field).annotate(n=Count("pk")).order_by(field)}


def _histogram(rows: QuerySet[Submission], start: str, end: str) -> Histogram:
    timed = rows.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).annotate(
        took=ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    )
    figures: dict[str, Count | Sum] = {
        f"le{i}": Count("pk", filter=Q(took__lte=timedelta(seconds=b))) for i, b in enumerate(BUCKETS)
    }
    figures["n"] = Count("pk")
    figures["total"] = Sum("took")
    found = timed.aggregate(**figures)
    total = found["total"] or timedelta(0)
    return Histogram(
        buckets=[(b, int(found[f"le{i}"])) for i, b in enumerate(BUCKETS)],
        count=int(found["n"]),
        total_seconds=total.total_seconds(),
    )


def operations() -> Operations:
    submissions = Submission.objects.all()
    ended = submissions.filter(evaluated_at__isnull=False)
    decided = ended.filter(reason__in=DECISION_REASONS)
    refused = ended.exclude(reason__in=DECISION_REASONS).exclude(reason="").exclude(status="failed")
    evaluations = {
        "evaluated": decided.count() + ended.filter(status__in=Submission.PENDING).count(),
        "refused": refused.count(),
        "failed": ended.filter(status="failed").count(),
    }
    extra_claims = submissions.filter(attempts__gt=1).aggregate(n=Coalesce(Sum(F("attempts") - 1), 0))["n"]
    failed_by_reaper = AuditEvent.objects.filter(action="submission.failed", payload__by="reaper").count()
    return Operations(
        by_status=_counts(submissions, "status"),
        evaluations=evaluations,
        decisions=_counts(decided, "reason"),
        sandbox_refusals=_counts(ended.filter(reason__in=SANDBOX_REASONS), "reason"),
        reaped=int(extra_claims) + failed_by_reaper,
        evaluation_seconds=_histogram(ended, "started_at", "evaluated_at"),
        decision_seconds=_histogram(decided, "evaluated_at", "finished_at"),
    )
