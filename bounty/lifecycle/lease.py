"""The lease on a claimed submission: who holds it, how it is kept alive, when it has run out.

A worker claims a submission (``claim``: ``queued`` to ``running``, one more attempt) and holds it while
it evaluates, renewing the lease from a thread every third of ``BOUNTY_SCORING_LEASE_SECONDS``
(``Heartbeat``). The claim's last sign of life is its last renewal, or the claim itself before the first.
A claim silent for longer than the lease belongs to a worker that is gone: the reaper puts the
submission back on the queue (``bounty.lifecycle.reaper``), and a worker anywhere claims it again.
Every step of a claim names its attempt, so a lost worker that comes back finds nothing to do.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from bounty.engine_adapter import competition_settings
from bounty.errors import DomainError
from bounty.lifecycle.states import Status, transition
from bounty.models import Submission
from scoring.sandbox import Limits

log = logging.getLogger(__name__)


def lease() -> timedelta:
    """How long a claim may stay silent before it counts as lost (``BOUNTY_SCORING_LEASE_SECONDS``)."""
    return timedelta(seconds=int(settings.BOUNTY_SCORING_LEASE_SECONDS))


def silent_since(cutoff: datetime) -> Q:
    """Claims whose last sign of life is older than ``cutoff``."""
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)


def claim(submission_id: int, *, redelivered: bool = False) -> Submission | None:
    """Claim a queued submission, or a running one whose lease ran out; None if it is not to be had.

    ``redelivered``: the broker redelivered the message because the worker running it was lost
    (``acks_late`` with ``reject_on_worker_lost``), so a running submission is taken over at once
    while it has attempts left (the reaper fails it once it has none)."""
    now = timezone.now()
    stale = Q(status=Status.RUNNING) & silent_since(now - lease())
    if redelivered:
        stale |= Q(status=Status.RUNNING, attempts__lt=settings.BOUNTY_SCORING_MAX_ATTEMPTS)
    with transaction.atomic():  # the row stays locked until the claim is read back: this claim's attempt
        moved = transition(
            submission_id,
            to=Status.RUNNING,
            source=(Status.QUEUED, Status.RUNNING),
            where=Q(status=Status.QUEUED) | stale,
            started_at=now,
            heartbeat_at=None,
            attempts=F("attempts") + 1,
        )
        return Submission.objects.select_related("competition").get(pk=submission_id) if moved else None


def renew(submission_id: int, attempt: int) -> bool:
    """Renew the lease of claim ``attempt``; False once that claim is no longer running."""
    held = Submission.objects.filter(pk=submission_id, status=Status.RUNNING, attempts=attempt)
    return bool(held.update(heartbeat_at=timezone.now()))


class Heartbeat:
    """Renews a claim's lease from a thread every third of the lease, until stopped, until the claim is
    no longer running, or until ``keep_going()`` says no (give work a bound: a worker stuck forever must
    not hold its claim forever). A renewal that fails (the database busy or restarting) is tried again
    at the next beat. Used as a context manager around work done here; ``start`` alone leaves it running
    for work done elsewhere (the shards of a chord)."""

    def __init__(
        self, submission_id: int, attempt: int, *, keep_going: Callable[[], bool] | None = None
    ) -> None:
        self.submission_id, self.attempt = submission_id, attempt
        self.keep_going = keep_going or (lambda: True)
        self.period = lease().total_seconds() / 3
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"lease-{submission_id}", daemon=True)

    def start(self) -> Heartbeat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            while not self.stopped.wait(self.period) and self.keep_going():
                try:
                    if not renew(self.submission_id, self.attempt):
                        return  # decided, or claimed again after this claim went silent
                except DatabaseError:  # missed once; the lease has two more beats in it
                    log.warning(
                        "renewing the lease of submission %s failed", self.submission_id, exc_info=True
                    )
                    connections.close_all()  # a fresh connection at the next beat
        finally:
            connections.close_all()  # this thread's own connections


def until(seconds: float) -> Callable[[], bool]:
    """A ``keep_going`` that says yes for ``seconds`` from now."""
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() < deadline


def for_runs(submission: Submission, runs: int) -> Callable[[], bool]:
    """A ``keep_going`` for ``runs`` sandbox runs of the submission's pair: each may take the competition's
    wall time twice (a refusal is explained by a second run), and the lease comes on top."""
    try:
        wall = competition_settings(submission.competition).limits.wall_seconds
    except DomainError:  # the evaluation itself will say what is wrong
        wall = Limits().wall_seconds
    return until(2 * wall * runs + lease().total_seconds())
