"""A submission's states, the moves allowed between them and what each move brings with it.

Every change of a submission's status goes through ``transition``: one conditional UPDATE (the move
happens only from the states named, so two workers or a worker and an organizer never both move it),
then, in the same transaction, the effects of the state it enters: the finish time, the quota slot
given back, the email to its author once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bounty.models import Submission
from bounty.models.submission import SubmissionStatus as Status
from bounty.services.notifications import notify_decision
from bounty.services.quotas import quota_refund

# from -> the states it may move to
MOVES: dict[Status, frozenset[Status]] = {
    Status.QUEUED: frozenset({Status.RUNNING, Status.CANCELLED}),
    # claimed again after its worker was lost, put back by the reaper, evaluated, refused by the engine,
    # failed by the platform, or withdrawn with a disqualified team
    Status.RUNNING: frozenset(
        {Status.RUNNING, Status.QUEUED, Status.EVALUATED, Status.REJECTED, Status.FAILED, Status.CANCELLED}
    ),
    Status.EVALUATED: frozenset(
        {Status.ACCEPTED, Status.REJECTED, Status.AWAITING_APPROVAL, Status.CANCELLED}
    ),
    Status.AWAITING_APPROVAL: frozenset(
        {Status.ACCEPTED, Status.REJECTED, Status.DECLINED, Status.CANCELLED}
    ),
    Status.ACCEPTED: frozenset(),  # final; organizer actions change its standing, never its status
    Status.REJECTED: frozenset(),
    Status.FAILED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.DECLINED: frozenset(),
}


@dataclass(frozen=True)
class Effects:
    finishes: bool = False  # records the finish time
    refunds: bool = False  # gives the team's quota slot back: not the participant's doing
    notifies: bool = False  # tells the author by email once the transaction commits


# what entering a state brings
ENTERING: dict[Status, Effects] = {
    Status.ACCEPTED: Effects(finishes=True, notifies=True),
    Status.REJECTED: Effects(finishes=True, notifies=True),
    Status.DECLINED: Effects(finishes=True, notifies=True),
    Status.FAILED: Effects(finishes=True, refunds=True),
    Status.CANCELLED: Effects(finishes=True, refunds=True),
}
NONE = Effects()


def allowed(source: Status, target: Status) -> bool:
    return target in MOVES[source]


def transition(
    submission_id: int,
    *,
    to: Status,
    source: Collection[Status],
    where: Q | None = None,
    **fields: Any,
) -> bool:
    """Move the submission to ``to`` if it is in one of the ``source`` states (and matches ``where``),
    setting ``fields`` with the move; True if it moved. A move the table does not allow is a bug and
    raises ``ValueError`` before anything is written."""
    bad = [s for s in source if not allowed(Status(s), to)]
    if bad or not source:
        raise ValueError(f"no move from {bad or 'nowhere'} to {to}")
    effects = ENTERING.get(to, NONE)
    if effects.finishes:
        fields.setdefault("finished_at", timezone.now())
    if to != Status.QUEUED and set(source) == {Status.RUNNING}:  # an evaluation ended (refused too)
        fields.setdefault("evaluated_at", timezone.now())
    rows = Submission.objects.filter(pk=submission_id, status__in=list(source))
    with transaction.atomic():
        moved = (rows.filter(where) if where is not None else rows).update(status=to, **fields)
        if moved and effects.refunds:
            quota_refund(submission=Submission.objects.only("team_id", "created_at").get(pk=submission_id))
        if moved and effects.notifies:
            transaction.on_commit(lambda: notify_decision(submission_id=submission_id))
    return bool(moved)
