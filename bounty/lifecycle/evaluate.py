"""Evaluating a claimed submission: its (g, h) run on the hidden splits in the sandbox, the outcome kept
for the decision.

Evaluation does not depend on the model version, so any number of workers do it at once. It ends in one
of three ways: ``evaluated`` (the engine's evaluation is kept until the submission's turn comes to be
decided), ``rejected`` (the engine refused the pair: a bad file, a model that fails...) or ``failed``
(the platform's fault: the team gets its quota slot back). Each is a move of the claim's own attempt,
so a claim that was taken over meanwhile changes nothing. Large hidden splits are evaluated in shards
(``bounty.lifecycle.shards``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bounty.engine_adapter import competition_store, evaluation_save
from bounty.lifecycle.decide import competition_drain
from bounty.lifecycle.faults import fault_point
from bounty.lifecycle.lease import Heartbeat, claim, for_runs, renew
from bounty.lifecycle.messages import FAILED, refusal_message
from bounty.lifecycle.shards import shard_count, shards_collect, shards_forget, shards_run
from bounty.lifecycle.states import Status, transition
from bounty.models import Submission
from bounty.services.audit import audit_record
from bounty.storage import artifact_read
from scoring.engine import Evaluation, Store, findings
from scoring.errors import EngineError

log = logging.getLogger(__name__)


def submission_score(*, submission_id: int, redelivered: bool = False) -> None:
    """Claim and evaluate one submission (if it is still to be evaluated), then decide whatever is ready
    in its competition."""
    competition_id = (
        Submission.objects.filter(pk=submission_id).values_list("competition_id", flat=True).first()
    )
    if competition_id is None:
        log.warning("submission %s does not exist; nothing to score", submission_id)
        return
    submission = claim(submission_id, redelivered=redelivered)
    if submission is not None:
        count = shard_count(submission)
        with Heartbeat(submission.pk, submission.attempts, keep_going=for_runs(submission, count)):
            evaluate(submission, count)
    competition_drain(competition_id=competition_id)


def evaluate(submission: Submission, count: int) -> None:
    """Evaluate a claimed submission, whole (``count`` 1) or in ``count`` shards."""
    fault_point("evaluate")
    if submission.is_finding:
        conclude(submission, lambda store: findings.evaluate(store, group=tree(submission)))
        return
    if count == 1:
        conclude(submission, lambda store: store.evaluate(group=group(submission), model=model(submission)))
        return
    parts = shards_run(submission, count)
    if parts is not None:  # else a chord of shard tasks was sent: its last task concludes
        _combine(submission, parts)


def submission_shards_finish(*, submission_id: int, attempt: int, count: int) -> None:
    """The chord's last task: combine the shards of claim ``attempt`` and decide whatever is ready."""
    submission = (
        Submission.objects.select_related("competition")
        .filter(pk=submission_id, status=Status.RUNNING, attempts=attempt)
        .first()
    )
    if submission is None:
        return  # decided already, or claimed again after this claim went silent
    parts = shards_collect(submission, count)
    if parts is None:  # left running: its lease runs out (the shard's worker stopped touching its mark)
        log.warning("submission %s: not every shard was kept", submission.pk)
        return
    with Heartbeat(submission.pk, attempt, keep_going=for_runs(submission, 1)):
        _combine(submission, parts)
    shards_forget(submission)
    competition_drain(competition_id=submission.competition_id)


def _combine(submission: Submission, parts: list[bytes]) -> None:
    conclude(
        submission,
        lambda store: store.combine_shards(group=tree(submission), model=model(submission), parts=parts),
    )


def group(submission: Submission) -> dict[str, Any] | bytes:
    """The group as the engine takes it: a JSON tree, or the bytes of a group model."""
    if submission.group_tree is not None:
        return submission.group_tree
    assert submission.group_model_sha256 is not None
    return artifact_read(submission.group_model_sha256)


def tree(submission: Submission) -> dict[str, Any]:
    assert submission.group_tree is not None  # only tree groups are sharded or found
    return submission.group_tree


def model(submission: Submission) -> bytes:
    return artifact_read(submission.model_sha256)


def conclude(submission: Submission, evaluate: Callable[[Store], Evaluation]) -> None:
    """Keep the evaluation and move the claim to ``evaluated``, or end it ``rejected`` or ``failed``."""
    store = competition_store(submission.competition)
    try:
        evaluation = evaluate(store)
    except EngineError as exc:
        _refuse(submission, exc)
        return
    except Exception:
        log.exception("scoring submission %s failed", submission.pk)
        _fail(submission)
        return
    if not renew(submission.pk, submission.attempts):
        return  # the claim was taken over meanwhile: its new holder keeps the evaluation
    evaluation_save(submission.competition, str(submission.pk), evaluation)
    mine = Q(attempts=submission.attempts)
    transition(
        submission.pk, to=Status.EVALUATED, source=[Status.RUNNING], where=mine, heartbeat_at=timezone.now()
    )


def _refuse(submission: Submission, error: EngineError) -> None:
    reason = error.reason.value
    fields = {
        "reason": reason,
        "message": refusal_message(error)[:500],
        "figures": {"detail": error.message[:2000]},
    }
    _end(submission, Status.REJECTED, "submission.refused", {"reason": reason}, **fields)


def _fail(submission: Submission) -> None:
    """A failure of the platform, not of the participant: no reason category, and it does not count."""
    _end(submission, Status.FAILED, "submission.failed", {}, message=FAILED)


def _end(submission: Submission, to: Status, action: str, payload: dict[str, Any], **fields: Any) -> None:
    """End this claim's evaluation ``to`` a final state, recorded as ``action``."""
    with transaction.atomic():
        where = Q(attempts=submission.attempts)
        if transition(submission.pk, to=to, source=[Status.RUNNING], where=where, **fields):
            audit_record(
                action=action,
                competition=submission.competition,
                payload={"submission_id": submission.pk, **payload},
            )
