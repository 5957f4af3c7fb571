"""Deciding: one submission at a time per competition, in arrival order, each against the newest version.

``competition_drain`` takes the competition's lock and decides every evaluated submission that no earlier
pending one waits in front of: the engine commits it against the head (a cheap check on cached holdout
state), and ``decision_record`` records the versions and the decision in the same transaction. With manual
approval on, a pair the check accepts waits for an organizer instead (``approval_hold``), and everything
behind it waits too (``bounty.lifecycle.approval`` decides it). The database's ``head_version`` is the
authority the engine syncs to; public gains are rounded down to the competition's published step
(``bounty.selectors.published``: its store's ``publish_k`` and the holdout's size).
"""

from __future__ import annotations

from django.db import transaction

from bounty.engine_adapter import competition_store, evaluation_drop, evaluation_load
from bounty.lifecycle.faults import fault_point
from bounty.lifecycle.findings import finding_decide, findings_fix
from bounty.lifecycle.lock import competition_lock
from bounty.lifecycle.messages import PUBLIC_MESSAGES, WAITING
from bounty.lifecycle.standings import confirm_locked, versions_record
from bounty.lifecycle.states import Status, transition
from bounty.models import Competition, Submission
from bounty.selectors.published import competition_step
from bounty.services.audit import audit_record
from bounty.services.ledger import ledger_sync
from scoring.engine import Decision, Evaluation, Store, VersionRecord, public_gain
from scoring.engine import organize as engine


def competition_drain(*, competition_id: int) -> int:
    """Decide, in arrival order, every evaluated submission at the front of the queue. Returns how many."""
    decided = 0
    while _decide_next(competition_id):
        decided += 1
    return decided


def _decide_next(competition_id: int) -> bool:
    with transaction.atomic():
        competition = competition_lock(competition_id)
        first = competition.submissions.filter(status__in=Submission.PENDING).order_by("seq").first()
        if first is None or first.status != Status.EVALUATED:
            return False
        store = competition_store(competition)
        evaluation = evaluation_load(competition, str(first.pk))
        if first.is_finding:  # no model to merge: checked, published, never held for approval
            finding_decide(competition, store, first, evaluation)
            evaluation_drop(competition, str(first.pk))
            return True
        if competition.manual_approval and approval_hold(competition, store, first, evaluation):
            return False  # it waits for an organizer, and everything behind it with it
        decision, versions = store.commit(evaluation, label=str(first.pk), head=competition.head_version)
        fault_point("commit")
        decision_record(competition, store, first, decision, versions, evaluation)
    evaluation_drop(competition, str(first.pk))
    return True


def approval_hold(
    competition: Competition, store: Store, submission: Submission, evaluation: Evaluation
) -> bool:
    """Put ``submission`` on hold when the check accepts it (under the lock). True if held."""
    decision = engine.check(store, evaluation, head=competition.head_version)
    if not decision.accepted:
        return False
    held = transition(
        submission.pk,
        to=Status.AWAITING_APPROVAL,
        source=[Status.EVALUATED],
        message=WAITING,
        figures=decision.figures.as_dict(),
        checked_version=competition.head_version,
    )
    if held:
        audit_record(
            action="submission.awaiting_approval",
            competition=competition,
            payload={"submission_id": submission.pk, "seq": submission.seq},
        )
    return held


def _public_gain(competition: Competition, decision: Decision) -> float:
    """The accepted gain rounded down to the published step (0 when the holdout's size is unknown)."""
    step = competition_step(competition).step
    return public_gain(decision.figures.gain, step) if step is not None else 0.0


def decision_record(
    competition: Competition,
    store: Store,
    submission: Submission,
    decision: Decision,
    versions: list[VersionRecord],
    evaluation: Evaluation,
) -> None:
    """Record a committed decision: the versions it made, the submission's end and the audit event.
    An update accepted after the competition closed is confirmed at once (credit then needs it)."""
    checked = competition.head_version
    versions_record(competition, versions)
    accepted = decision.accepted
    decided = transition(
        submission.pk,
        to=Status.ACCEPTED if accepted else Status.REJECTED,
        source=[Status.EVALUATED, Status.AWAITING_APPROVAL],
        reason=decision.reason.value,
        message=PUBLIC_MESSAGES[decision.reason],
        figures=decision.figures.as_dict(),
        public_gain=_public_gain(competition, decision) if accepted else None,
        checked_version=checked,
    )
    if not decided:  # under the lock, from the state just read: a bug, and the versions roll back
        raise RuntimeError(f"submission {submission.pk} could not be decided")
    audit_record(
        action="submission.decided",
        competition=competition,
        payload={
            "submission_id": submission.pk,
            "seq": submission.seq,
            "reason": decision.reason.value,
            "versions": [v.number for v in versions],
            "model_sha256": evaluation.model_sha,
        },
    )
    if accepted:
        findings_fix(competition, submission, evaluation)
        ledger_sync(competition=competition, note=f"update #{submission.pk} accepted")
    if accepted and competition.status == Competition.Status.CLOSED:
        confirm_locked(competition, actor=None, reason="automatic, an update accepted after the close")
