"""Sharded evaluation: one submission's evaluation on large hidden splits cut into row ranges that are
evaluated apart, in parallel on any number of workers, then combined into exactly the evaluation an
unsharded run gives (``Store.evaluate_shard`` and ``Store.combine_shards``).

With a result backend (Redis) the claim sends a chord: one task per shard, each keeping its result in
the platform's storage (``bounty.storage.shard_write``), and a last task that combines them and decides.
The claiming worker keeps the claim's lease alive while the chord runs (``chord_alive``): while shards
wait in the queue or run, and no longer once a shard's worker has gone silent (each shard's worker
touches its mark while it works), so a lost shard worker is noticed like a lost claim and the reaper
puts the submission back on the queue. Without a result backend (SQLite and the filesystem broker) the
shards run one after another inside the claim, through the same functions and the same combine.

Every shard task and the combine name the claim (the submission's ``attempts``): after the reaper put a
submission back on the queue, an earlier claim's tasks find nothing to do. A group given as a model file
is evaluated whole (the sandbox predicts its membership on every row it is given).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings

from bounty.engine_adapter import competition_store
from bounty.lifecycle.enqueue import chords_available, send_shards
from bounty.lifecycle.lease import Heartbeat, for_runs, lease, until
from bounty.lifecycle.states import Status
from bounty.models import Submission
from bounty.storage import (
    artifact_read,
    shard_done,
    shard_mark,
    shard_mark_age,
    shard_read,
    shard_write,
    shards_drop,
)
from scoring.engine import ShardResult, shard_failure
from scoring.errors import EngineError

log = logging.getLogger(__name__)


def shard_count(submission: Submission) -> int:
    """How many shards this submission's evaluation takes (1: evaluate it whole)."""
    if submission.group_tree is None or submission.is_finding:
        return 1  # a group model is evaluated whole; a finding runs no model (its check is cheap)
    competition = submission.competition
    limit = competition.shard_rows or int(settings.BOUNTY_SHARD_ROWS)
    try:
        return competition_store(competition).shard_count(limit)
    except (OSError, EngineError):
        return 1  # the whole evaluation will say what is wrong


def claim_label(submission_id: int, attempt: int) -> str:
    return f"{int(submission_id)}-{int(attempt)}"


def shards_run(submission: Submission, count: int) -> list[bytes] | None:
    """Send the chord and return None, or, without a result backend, evaluate every shard here, one
    after another, and return their results."""
    attempt = submission.attempts
    chords = chords_available()
    log.info("submission %s: %s shards, %s", submission.pk, count, "a chord" if chords else "in turn")
    if not chords:
        return [_evaluate(submission, index, count) for index in range(count)]
    send_shards(submission.pk, attempt, count)
    # At the most as long as the broker keeps a shard's message before it delivers it again.
    patience = float(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600))
    alive = chord_alive(claim_label(submission.pk, attempt), count, until(patience))
    Heartbeat(submission.pk, attempt, keep_going=alive).start()
    return None


def chord_alive(label: str, count: int, patience: Callable[[], bool]) -> Callable[[], bool]:
    """A ``keep_going`` for a chord's claim: yes while every shard is done, waiting, or being worked on
    by a worker that touched its mark within the lease; no once one went silent, or after ``patience``."""
    silence = lease().total_seconds()

    def alive() -> bool:
        if not patience():
            return False
        for index in range(count):
            age = shard_mark_age(claim=label, index=index)
            if age is not None and age > silence and not shard_done(claim=label, index=index):
                return False  # its worker is gone: let the claim's lease run out
        return True

    return alive


def shard_evaluate(*, submission_id: int, attempt: int, index: int, count: int) -> dict[str, Any]:
    """Evaluate shard ``index`` of ``count`` of claim ``attempt`` and keep its outcome (the arrays, the
    engine's refusal, or a platform failure, so that the chord always completes)."""
    submission = (
        Submission.objects.select_related("competition")
        .filter(pk=submission_id, status=Status.RUNNING, attempts=attempt)
        .first()
    )
    if submission is None:
        return {"index": index, "status": "skipped"}  # decided, or claimed again
    label, bound = claim_label(submission_id, attempt), for_runs(submission, 1)

    def working() -> bool:
        shard_mark(claim=label, index=index)
        return bound()

    working()
    with Heartbeat(submission_id, attempt, keep_going=working):
        data = _evaluate(submission, index, count)
        shard_write(claim=label, index=index, data=data)
    return {"index": index, "status": ShardResult.status_of(data)}


def _evaluate(submission: Submission, index: int, count: int) -> bytes:
    store = competition_store(submission.competition)
    assert submission.group_tree is not None
    try:
        return store.evaluate_shard(
            group=submission.group_tree,
            model=artifact_read(submission.model_sha256),
            index=index,
            count=count,
        )
    except Exception:
        log.exception("shard %s/%s of submission %s failed", index, count, submission.pk)
        return shard_failure()


def shards_collect(submission: Submission, count: int) -> list[bytes] | None:
    """Every shard's kept result for the submission's current claim, or None if one is missing."""
    label = claim_label(submission.pk, submission.attempts)
    parts = [shard_read(claim=label, index=index) for index in range(count)]
    return None if any(p is None for p in parts) else [p for p in parts if p is not None]


def shards_forget(submission: Submission) -> None:
    shards_drop(submission_id=submission.pk)
