"""Manual approval: with ``Competition.manual_approval`` on, a pair the check accepts waits for an
organizer before it is merged (``bounty.lifecycle.decide.approval_hold``); being pending, it holds every
later decision back (arrival order holds).

``submission_approve`` commits it against the newest version (organizer actions may have changed the
model meanwhile, so it may now be rejected); ``submission_decline`` refuses it. Either way the queue
behind it is then decided.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from bounty.engine_adapter import competition_store, evaluation_drop, evaluation_load
from bounty.errors import DomainError
from bounty.lifecycle.decide import competition_drain, decision_record
from bounty.lifecycle.lock import competition_lock
from bounty.lifecycle.messages import DECLINED
from bounty.lifecycle.states import Status, transition
from bounty.models import Competition, Submission
from bounty.services.audit import audit_record
from bounty.services.organizer_guards import organizer_required, reason_required


def _locked_waiting(submission: Submission) -> tuple[Competition, Submission]:
    competition = competition_lock(submission.competition_id)
    locked = Submission.objects.select_related("team").get(pk=submission.pk)
    if locked.status != Status.AWAITING_APPROVAL:
        raise DomainError("not_awaiting_approval", "This submission is not awaiting approval.")
    return competition, locked


def _decide_the_rest(competition: Competition, submission: Submission) -> None:
    evaluation_drop(competition, str(submission.pk))
    competition_drain(competition_id=competition.pk)


def submission_approve(*, submission: Submission, actor: User, note: str) -> Submission:
    """Commit a waiting pair against the newest version; it may now be rejected."""
    organizer_required(competition=submission.competition, actor=actor)
    note = reason_required(note, field="note")
    with transaction.atomic():
        competition, locked = _locked_waiting(submission)
        store = competition_store(competition)
        evaluation = evaluation_load(competition, str(locked.pk))
        decision, versions = store.commit(evaluation, label=str(locked.pk), head=competition.head_version)
        decision_record(competition, store, locked, decision, versions, evaluation)
        audit_record(
            action="submission.approve",
            actor=actor,
            competition=competition,
            payload={
                "submission_id": locked.pk,
                "seq": locked.seq,
                "reason": note,
                "decision": decision.reason.value,
                "versions": [v.number for v in versions],
            },
        )
    _decide_the_rest(competition, locked)
    return Submission.objects.get(pk=locked.pk)


def submission_decline(*, submission: Submission, actor: User, note: str) -> Submission:
    """Refuse a waiting pair: it is not merged, and the queue behind it moves on."""
    organizer_required(competition=submission.competition, actor=actor)
    note = reason_required(note, field="note")
    with transaction.atomic():
        competition, locked = _locked_waiting(submission)
        transition(locked.pk, to=Status.DECLINED, source=[Status.AWAITING_APPROVAL], message=DECLINED)
        audit_record(
            action="submission.decline",
            actor=actor,
            competition=competition,
            payload={"submission_id": locked.pk, "seq": locked.seq, "reason": note},
        )
    _decide_the_rest(competition, locked)
    return Submission.objects.get(pk=locked.pk)


def competition_set_manual_approval(
    *, competition: Competition, actor: User, enabled: bool, reason: str
) -> Competition:
    """Turn manual approval on or off (pairs already waiting still wait for a decision)."""
    organizer_required(competition=competition, actor=actor)
    reason = reason_required(reason)
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        Competition.objects.filter(pk=locked.pk).update(manual_approval=enabled)
        audit_record(
            action="competition.manual_approval",
            actor=actor,
            competition=locked,
            payload={"enabled": enabled, "reason": reason},
        )
    competition.manual_approval = enabled
    return competition
