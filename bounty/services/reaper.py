"""The reaper: put back on the queue the submissions a lost worker or a lost message left behind.

Run periodically (the Celery beat entry ``reap-stuck-submissions`` and ``manage.py reap_stuck``):

- ``running`` for longer than the lease (its worker died, or its message was lost with a broker
  restart): back to ``queued`` and sent again; after ``max_attempts`` claims it is ``failed`` instead,
  a platform failure whose quota slot is given back;
- ``queued`` for longer than the lease (its message was lost): sent again;
- ``evaluated`` for longer than the lease (its worker died while deciding): a scoring task is sent,
  which decides whatever is ready in arrival order.

Sending a task twice is harmless: a claim only succeeds from ``queued`` (or a stale ``running``), and a
decision only from ``evaluated`` under the competition's lock, so each submission is decided once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bounty.models import Submission
from bounty.services.audit import audit_record
from bounty.services.quotas import quota_refund

log = logging.getLogger(__name__)
Status = Submission.Status
BATCH = 500
FAILED_MESSAGE = "The platform could not score this submission; it does not count against your quota."


@dataclass
class ReapReport:
    requeued: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)
    drained: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int]]:
        return {
            "requeued": self.requeued,
            "resent": self.resent,
            "drained": self.drained,
            "failed": self.failed,
        }


def default_lease() -> timedelta:
    return timedelta(seconds=int(settings.BOUNTY_SCORING_LEASE_SECONDS))


def stuck_reap(
    *, lease: timedelta | None = None, max_attempts: int | None = None, now: datetime | None = None
) -> ReapReport:
    """Re-queue, re-send or fail every submission stuck longer than ``lease``; say what was done."""
    cutoff = (now or timezone.now()) - (lease if lease is not None else default_lease())
    attempts = max_attempts if max_attempts is not None else int(settings.BOUNTY_SCORING_MAX_ATTEMPTS)
    report = ReapReport()
    _reap_running(cutoff, attempts, report)
    _resend_queued(cutoff, report)
    _drain_evaluated(cutoff, report)
    if report.requeued or report.resent or report.drained or report.failed:
        log.warning("reaper: %s", report.as_dict())
    return report


def _reap_running(cutoff: datetime, max_attempts: int, report: ReapReport) -> None:
    stale = Submission.objects.filter(status=Status.RUNNING, started_at__lt=cutoff).order_by("pk")
    for submission in stale.select_related("competition")[:BATCH]:
        if submission.attempts >= max_attempts:
            if _fail(submission, cutoff):
                report.failed.append(submission.pk)
        elif _requeue(submission.pk, cutoff):
            report.requeued.append(submission.pk)


def _requeue(submission_id: int, cutoff: datetime) -> bool:
    with transaction.atomic():
        moved = Submission.objects.filter(
            pk=submission_id, status=Status.RUNNING, started_at__lt=cutoff
        ).update(status=Status.QUEUED)
        if moved:
            transaction.on_commit(lambda: _send(submission_id))
    return bool(moved)


def _fail(submission: Submission, cutoff: datetime) -> bool:
    """Out of attempts: a platform failure, so the team gets its quota slot back."""
    with transaction.atomic():
        done = Submission.objects.filter(
            pk=submission.pk, status=Status.RUNNING, started_at__lt=cutoff
        ).update(status=Status.FAILED, message=FAILED_MESSAGE, finished_at=timezone.now())
        if done:
            quota_refund(submission=submission)
            audit_record(
                action="submission.failed",
                actor=None,
                competition=submission.competition,
                payload={"submission_id": submission.pk, "attempts": submission.attempts, "by": "reaper"},
            )
    if done:  # later submissions may have been waiting behind this one
        _send(submission.pk)
    return bool(done)


def _resend_queued(cutoff: datetime, report: ReapReport) -> None:
    lost = Submission.objects.filter(status=Status.QUEUED, created_at__lt=cutoff).exclude(
        pk__in=report.requeued
    )
    for submission_id in lost.order_by("pk").values_list("pk", flat=True)[:BATCH]:
        _send(submission_id)
        report.resent.append(submission_id)


def _drain_evaluated(cutoff: datetime, report: ReapReport) -> None:
    waiting = Submission.objects.filter(status=Status.EVALUATED, started_at__lt=cutoff).order_by("seq")
    seen: set[int] = set()
    for submission_id, competition_id in waiting.values_list("pk", "competition_id")[:BATCH]:
        if competition_id not in seen:
            seen.add(competition_id)
            _send(submission_id)
            report.drained.append(submission_id)


def _send(submission_id: int) -> None:
    from bounty.tasks import score_submission

    score_submission.delay(submission_id)
