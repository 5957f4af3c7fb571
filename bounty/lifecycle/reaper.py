"""The reaper: put back on the queue what a lost worker or a lost message left behind.

Celery beat runs it every ``BOUNTY_REAP_INTERVAL_SECONDS`` (the task ``bounty.reap_stuck``); ``manage.py
reap_stuck`` runs it once. Running it twice at once is harmless: every move it makes is conditional.

- ``running`` and silent for longer than the lease (its worker died, ``bounty.lifecycle.lease``): back
  to ``queued`` and sent again; after ``max_attempts`` claims it is ``failed`` instead, a platform
  failure whose quota slot is given back;
- ``queued`` for longer than ``BOUNTY_QUEUE_RESEND_SECONDS`` since its message was last sent (a broker
  that lost it): sent again;
- ``evaluated`` and silent for longer than the lease (its worker died while deciding): a scoring task is
  sent, which decides whatever is ready in arrival order.

Sending a task twice is harmless: a claim only succeeds from ``queued`` (or a silent ``running``), and a
decision only from ``evaluated`` under the competition's lock, so each submission is decided once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bounty.lifecycle import enqueue
from bounty.lifecycle.lease import lease as default_lease
from bounty.lifecycle.lease import silent_since
from bounty.lifecycle.messages import FAILED
from bounty.lifecycle.states import Status, transition
from bounty.models import Submission
from bounty.services.audit import audit_record

log = logging.getLogger(__name__)
BATCH = 500


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


def stuck_reap(
    *, lease: timedelta | None = None, max_attempts: int | None = None, now: datetime | None = None
) -> ReapReport:
    """Re-queue, re-send or fail every submission stuck longer than ``lease``; say what was done."""
    now = now or timezone.now()
    cutoff = now - (lease if lease is not None else default_lease())
    attempts = max_attempts if max_attempts is not None else int(settings.BOUNTY_SCORING_MAX_ATTEMPTS)
    report = ReapReport()
    _reap_running(cutoff, attempts, report)
    _resend_queued(now, report)
    _drain_evaluated(cutoff, report)
    if report.requeued or report.resent or report.drained or report.failed:
        log.warning("reaper: %s", report.as_dict())
    return report


def _reap_running(cutoff: datetime, max_attempts: int, report: ReapReport) -> None:
    stale = Submission.objects.filter(Q(status=Status.RUNNING) & silent_since(cutoff)).order_by("pk")
    for submission in stale.select_related("competition")[:BATCH]:
        if submission.attempts >= max_attempts:
            if _fail(submission, cutoff):
                report.failed.append(submission.pk)
        elif _requeue(submission.pk, cutoff):
            report.requeued.append(submission.pk)


def _requeue(submission_id: int, cutoff: datetime) -> bool:
    with transaction.atomic():
        moved = transition(
            submission_id,
            to=Status.QUEUED,
            source=[Status.RUNNING],
            where=silent_since(cutoff),
            heartbeat_at=timezone.now(),  # when its message was sent again
        )
        if moved:
            enqueue.score_after_commit(submission_id)
    return moved


def _fail(submission: Submission, cutoff: datetime) -> bool:
    """Out of attempts: a platform failure, so the team gets its quota slot back."""
    with transaction.atomic():
        done = transition(
            submission.pk,
            to=Status.FAILED,
            source=[Status.RUNNING],
            where=silent_since(cutoff),
            message=FAILED,
        )
        if done:
            audit_record(
                action="submission.failed",
                competition=submission.competition,
                payload={"submission_id": submission.pk, "attempts": submission.attempts, "by": "reaper"},
            )
    if done:  # later submissions may have been waiting behind this one
        enqueue.send_score(submission.pk)
    return done


def _resend_queued(now: datetime, report: ReapReport) -> None:
    cutoff = now - timedelta(seconds=int(settings.BOUNTY_QUEUE_RESEND_SECONDS))
    last_sent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    lost = Submission.objects.filter(Q(status=Status.QUEUED) & last_sent).exclude(pk__in=report.requeued)
    for submission_id in lost.order_by("pk").values_list("pk", flat=True)[:BATCH]:
        if Submission.objects.filter(Q(pk=submission_id, status=Status.QUEUED) & last_sent).update(
            heartbeat_at=now
        ):
            enqueue.send_score(submission_id)
            report.resent.append(submission_id)


def _drain_evaluated(cutoff: datetime, report: ReapReport) -> None:
    """One scoring task per competition with an evaluated submission silent past the lease; the
    submission is stamped, so one that waits behind an organizer's approval is not sent every pass."""
    silent = Q(status=Status.EVALUATED) & silent_since(cutoff)
    waiting = Submission.objects.filter(silent).order_by("seq")
    seen: set[int] = set()
    for submission_id, competition_id in waiting.values_list("pk", "competition_id")[:BATCH]:
        if competition_id in seen:
            continue
        seen.add(competition_id)
        if Submission.objects.filter(silent, pk=submission_id).update(heartbeat_at=timezone.now()):
            enqueue.send_score(submission_id)
            report.drained.append(submission_id)
