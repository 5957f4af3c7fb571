"""Scoring submissions: evaluate in parallel, decide one at a time in arrival order.

1. ``submission_score`` (the Celery task's body) claims a submission with a conditional update, runs the
   engine's evaluation of (g, h) in the sandbox, stores it and marks the submission ``evaluated``.
   Evaluation does not depend on the model version, so any number of workers may do this at once;
   on large hidden splits it is itself cut into shards evaluated in parallel (``sharding``).
2. ``competition_drain`` then takes the competition's lock (a row update, which serializes writers on
   PostgreSQL and SQLite alike) and decides, in arrival order, every evaluated submission that no earlier
   pending submission is still waiting in front of, each against the newest version.

Idempotent: a claim only succeeds from ``queued`` (or from a ``running`` whose lease ran out, after a
worker was lost), and a decision only from ``evaluated`` under the lock, so a redelivered or repeated task
never applies an update twice. The database's ``head_version`` is the authority the engine syncs to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from bounty.engine_adapter import competition_store
from bounty.models import Competition, ModelVersion, Submission
from bounty.services.approval import approval_hold
from bounty.services.audit import audit_record
from bounty.services.faults import fault_point
from bounty.services.notifications import notify_decision
from bounty.services.quotas import quota_refund
from bounty.services.sharding import (
    shards_combine,
    shards_drop,
    shards_load,
    shards_start,
    submission_shard_count,
)
from bounty.storage import artifact_read
from scoring.engine import Decision, Evaluation, Store, VersionRecord, public_gain
from scoring.errors import EngineError, Reason

log = logging.getLogger(__name__)
Status = Submission.Status

# What a participant is told for each reason. Nothing derived from the holdout beyond the category.
PUBLIC_MESSAGES = {
    Reason.ACCEPTED: "Accepted: the pair improved the global model.",
    Reason.GROUP_TOO_SMALL: "The group holds too few of the hidden rows.",
    Reason.INSUFFICIENT_IMPROVEMENT: "The model did not improve the global model on the group by enough.",
    Reason.INVALID_GROUP: "The group could not be used.",
    Reason.INVALID_MODEL: "The model file could not be used.",
    Reason.SCHEMA_MISMATCH: "The model does not fit the competition's data schema.",
    Reason.PREDICTION_ERROR: "The model failed while predicting or gave unusable predictions.",
    Reason.TIMEOUT: "The model ran out of time.",
    Reason.RESOURCE_LIMIT: "The model exceeded the memory or resource limits.",
}
# Reasons whose engine message is about the uploaded file itself, so it is safe to show.
FILE_REASONS = {Reason.INVALID_GROUP, Reason.INVALID_MODEL}
LEASE = timedelta(minutes=15)


def submission_score(*, submission_id: int, redelivered: bool = False) -> None:
    """Evaluate one submission (if it is still to be evaluated), then decide whatever is ready.

    ``redelivered``: the broker says this message was delivered before to a worker that was lost
    (acks_late + reject_on_worker_lost), so a ``running`` submission may be claimed at once."""
    competition_id = (
        Submission.objects.filter(pk=submission_id).values_list("competition_id", flat=True).first()
    )
    if competition_id is None:
        log.warning("submission %s does not exist; nothing to score", submission_id)
        return
    submission = _claim(submission_id, redelivered=redelivered)
    if submission is not None:
        _evaluate(submission)
    competition_drain(competition_id=competition_id)


def _claim(submission_id: int, *, redelivered: bool = False) -> Submission | None:
    now = timezone.now()
    stale = Q(status=Status.RUNNING, started_at__lt=now - LEASE)
    if redelivered:  # its worker was lost; the reaper fails it once out of attempts
        stale |= Q(status=Status.RUNNING, attempts__lt=settings.BOUNTY_SCORING_MAX_ATTEMPTS)
    claimed = Submission.objects.filter(Q(pk=submission_id) & (Q(status=Status.QUEUED) | stale)).update(
        status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    return Submission.objects.select_related("competition").get(pk=submission_id) if claimed else None


def _evaluate(submission: Submission) -> None:
    fault_point("evaluate")
    count = submission_shard_count(submission)
    if count > 1:  # a large holdout: evaluated in parallel shards (bounty.services.sharding)
        if not shards_start(submission=submission, count=count):
            _finish_shards(submission, count)  # no chords here: the shards ran one after another
        return
    _conclude(submission, lambda store: store.evaluate(group=_group(submission), model=_model(submission)))


def _group(submission: Submission) -> dict[str, Any] | bytes:
    if submission.group_tree is not None:
        return submission.group_tree
    assert submission.group_model_sha256 is not None
    return artifact_read(submission.group_model_sha256)


def _model(submission: Submission) -> bytes:
    return artifact_read(submission.model_sha256)


def _conclude(submission: Submission, evaluate: Callable[[Store], Evaluation]) -> None:
    """Store the evaluation and mark the submission ``evaluated``, or finish it refused or failed."""
    store = competition_store(submission.competition)
    try:
        evaluation = evaluate(store)
    except EngineError as exc:
        _finish_refused(submission, exc)
        return
    except Exception:
        log.exception("scoring submission %s failed", submission.pk)
        _finish_failed(submission)
        return
    store.save_evaluation(str(submission.pk), evaluation)
    Submission.objects.filter(pk=submission.pk, status=Status.RUNNING, attempts=submission.attempts).update(
        status=Status.EVALUATED
    )


def submission_shards_finish(*, submission_id: int, attempt: int, count: int) -> None:
    """The chord's last step: combine the shards of claim ``attempt`` and decide whatever is ready."""
    submission = (
        Submission.objects.select_related("competition")
        .filter(pk=submission_id, status=Status.RUNNING, attempts=attempt)
        .first()
    )
    if submission is None:
        return  # finished already, or claimed again after its lease ran out
    _finish_shards(submission, count)
    competition_drain(competition_id=submission.competition_id)


def _finish_shards(submission: Submission, count: int) -> None:
    parts = shards_load(submission=submission, count=count)
    if parts is None:  # left running: the reaper claims it again once the lease runs out
        log.warning("submission %s: not every shard was evaluated", submission.pk)
        return
    _conclude(submission, lambda store: shards_combine(store, submission=submission, parts=parts))
    shards_drop(submission=submission)


def _finish_refused(submission: Submission, exc: EngineError) -> None:
    message = exc.message if exc.reason in FILE_REASONS else PUBLIC_MESSAGES[exc.reason]
    with transaction.atomic():
        done = Submission.objects.filter(pk=submission.pk, status=Status.RUNNING).update(
            status=Status.REJECTED,
            reason=exc.reason.value,
            message=message[:500],
            figures={"detail": exc.message[:2000]},
            finished_at=timezone.now(),
        )
        if done:
            audit_record(
                action="submission.refused",
                actor=None,
                competition=submission.competition,
                payload={"submission_id": submission.pk, "reason": exc.reason.value},
            )
            transaction.on_commit(lambda: notify_decision(submission_id=submission.pk))


def _finish_failed(submission: Submission) -> None:
    """A failure of the platform, not of the participant: no reason category, and it does not count."""
    with transaction.atomic():
        done = Submission.objects.filter(pk=submission.pk, status=Status.RUNNING).update(
            status=Status.FAILED,
            message="The platform could not score this submission; it does not count against your quota.",
            finished_at=timezone.now(),
        )
        if done:
            audit_record(
                action="submission.failed",
                actor=None,
                competition=submission.competition,
                payload={"submission_id": submission.pk},
            )
            quota_refund(submission=submission)


def competition_drain(*, competition_id: int) -> int:
    """Decide, in arrival order, every evaluated submission at the front of the queue. Returns how many."""
    decided = 0
    while _decide_next(competition_id):
        decided += 1
    return decided


def _decide_next(competition_id: int) -> bool:
    with transaction.atomic():
        # The lock: an update of the competition row serializes deciders on every database.
        Competition.objects.filter(pk=competition_id).update(head_version=F("head_version"))
        competition = Competition.objects.get(pk=competition_id)
        pending = Submission.PENDING
        first = competition.submissions.filter(status__in=pending).order_by("seq").first()
        if first is None or first.status != Status.EVALUATED:
            return False
        store = competition_store(competition)
        evaluation = store.load_evaluation(str(first.pk))
        if competition.manual_approval and approval_hold(competition, first, evaluation):
            return False  # it waits for an organizer, and everything behind it with it
        decision, versions = store.commit(evaluation, label=str(first.pk), head=competition.head_version)
        fault_point("commit")
        _record(competition, first, decision, versions, evaluation)
    store.drop_evaluation(str(first.pk))
    return True


def _record(
    competition: Competition,
    submission: Submission,
    decision: Decision,
    versions: list[VersionRecord],
    evaluation: Evaluation,
) -> None:
    for v in versions:
        ModelVersion.objects.create(
            competition=competition,
            number=v.number,
            parent=v.parent,
            kind=v.kind,
            label=f"submission #{submission.seq}" if v.kind == "update" else f"repair of v{v.target_version}",
            submission=submission,
            target_version=v.target_version,
            gain=v.gain,
            holdout_loss=v.holdout_loss,
            confirmation_loss=v.confirmation_loss,
        )
    if versions:
        Competition.objects.filter(pk=competition.pk).update(
            head_version=versions[-1].number, current_holdout_loss=versions[-1].holdout_loss
        )
    accepted = decision.accepted
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.ACCEPTED if accepted else Status.REJECTED,
        reason=decision.reason.value,
        message=PUBLIC_MESSAGES[decision.reason],
        figures=decision.figures.as_dict(),
        public_gain=public_gain(decision.figures.gain, competition.alpha) if accepted else None,
        checked_version=competition.head_version,
        finished_at=timezone.now(),
    )
    audit_record(
        action="submission.decided",
        actor=None,
        competition=competition,
        payload={
            "submission_id": submission.pk,
            "seq": submission.seq,
            "reason": decision.reason.value,
            "versions": [v.number for v in versions],
            "model_sha256": evaluation.model_sha,
        },
    )
    transaction.on_commit(lambda: notify_decision(submission_id=submission.pk))
