"""Organizer actions that undo accepted updates: roll back to a version, disqualify a team.

Both append versions (nothing is deleted; see ``scoring.pdl.rollback``), under the competition's
decision lock, so they interleave with decisions one at a time: a submission decided afterwards is
checked against the new head. Each records an ``AuditEvent`` with the actor and the reason, and tells
every participant whose credit it changed why (``bounty.services.notifications.notify_standing``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from bounty.engine_adapter import competition_store
from bounty.errors import DomainError
from bounty.lifecycle.decide import competition_drain
from bounty.lifecycle.lock import competition_lock
from bounty.lifecycle.messages import WITHDRAWN
from bounty.lifecycle.standings import standings_sync, versions_record
from bounty.lifecycle.states import Status, transition
from bounty.models import Competition, Disqualification, ModelVersion, Submission, Team, UpdateStanding
from bounty.services.audit import audit_record
from bounty.services.ledger import ledger_sync
from bounty.services.notifications import notify_standing
from bounty.services.organizer_guards import organizer_required, reason_required
from scoring.engine import organize as engine


def competition_rollback(*, competition: Competition, version: int, actor: User, reason: str) -> ModelVersion:
    """Append a version that predicts exactly as ``version`` did; updates accepted after it stop counting."""
    organizer_required(competition=competition, actor=actor)
    reason = reason_required(reason)
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        head = locked.head_version
        if not 0 <= version < head:
            raise DomainError(
                "invalid_version", f"Choose an earlier version than the current v{head}.", field="version"
            )
        store = competition_store(locked)
        record = engine.rollback(store, head=head, target=version, label=f"rollback to v{version}")
        versions_record(locked, [record], because=f"rollback to v{version}")
        sync = standings_sync(
            competition=locked, store=store, head=record.number, dropped=UpdateStanding.Dropped.ROLLED_BACK
        )
        notify_standing(competition=locked, submission_ids=sync.changed(), reason=reason)
        ledger_sync(competition=locked, note=f"rollback to v{version}", actor=actor)
        audit_record(
            action="competition.rollback",
            actor=actor,
            competition=locked,
            payload={"from": head, "to": version, "version": record.number, "reason": reason},
        )
    return ModelVersion.objects.get(competition=competition, number=record.number)


@dataclass(frozen=True)
class ReplayNote:
    submission_id: int
    accepted: bool
    reason: str


def _withdraw_pending(team: Team) -> list[int]:
    """Take the team's undecided submissions out of the queue (their quota slots are given back)."""
    pending = list(team.submissions.filter(status__in=Submission.PENDING).values_list("pk", flat=True))
    for submission_id in pending:
        transition(submission_id, to=Status.CANCELLED, source=Submission.PENDING, message=WITHDRAWN)
    return pending


def team_disqualify(*, competition: Competition, team: Team, actor: User, reason: str) -> Disqualification:
    """Rebuild the model from the base with every other team's counting updates, in arrival order.

    The check runs again for each replayed pair, so some may now be rejected (recorded in the audit
    event and in their standing). The team's undecided submissions are cancelled.
    """
    organizer_required(competition=competition, actor=actor)
    reason = reason_required(reason)
    if team.competition_id != competition.pk:
        raise DomainError("not_found", "There is no such team in this competition.")
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        if Disqualification.objects.filter(team=team).exists():
            raise DomainError("already_disqualified", "This team is already disqualified.")
        withdrawn = _withdraw_pending(team)
        head = locked.head_version
        labels = {str(pk) for pk in team.submissions.values_list("pk", flat=True)}
        store = competition_store(locked)
        action = f"disqualification of {team.name}"
        records, replayed = engine.replay_without(store, head=head, drop=labels, label=action)
        versions_record(locked, records, because=action)
        sync = standings_sync(
            competition=locked,
            store=store,
            head=locked.head_version,
            dropped=UpdateStanding.Dropped.REJECTED_ON_REPLAY,
            team_labels=labels,
        )
        notify_standing(competition=locked, submission_ids=sync.changed(), reason=reason, disqualified=team)
        notes = [ReplayNote(int(r.label), r.decision.accepted, r.decision.reason.value) for r in replayed]
        disqualification = Disqualification.objects.create(
            team=team, competition=locked, actor=actor, reason=reason, version=locked.head_version
        )
        ledger_sync(competition=locked, note=f"disqualification of {team.name}", actor=actor)
        audit_record(
            action="team.disqualify",
            actor=actor,
            competition=locked,
            payload={
                "team_id": team.pk,
                "team": team.name,
                "reason": reason,
                "from": head,
                "to": locked.head_version,
                "withdrawn": withdrawn,
                "replayed": [n.__dict__ for n in notes],
            },
        )
    competition_drain(competition_id=competition.pk)  # the queue may have waited behind its submissions
    return disqualification
