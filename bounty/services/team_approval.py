"""Organizers approving teams: with ``Competition.team_approval`` on, a team may submit only once an
organizer approved it (``Team.approved_at``; the check is in ``bounty.lifecycle.submit``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bounty.errors import DomainError
from bounty.models import Competition, Team
from bounty.services.audit import audit_record
from bounty.services.organizer_guards import organizer_required, reason_required


def team_approve(*, competition: Competition, team: Team, actor: User) -> Team:
    """Let ``team`` submit; 409 ``already_approved`` the second time. Recorded in the audit log."""
    organizer_required(competition=competition, actor=actor)
    if team.competition_id != competition.pk:
        raise DomainError("not_found", "There is no such team in this competition.")
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if locked.approved_at is not None:
            raise DomainError("already_approved", f"{locked.name} is already approved.")
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_at"])
        audit_record(
            action="team.approve",
            actor=actor,
            competition=competition,
            payload={"team_id": locked.pk, "name": locked.name},
        )
    return locked


def competition_set_team_approval(
    *, competition: Competition, actor: User, enabled: bool, reason: str
) -> Competition:
    """Turn team approval on or off. Turned on, teams not yet approved wait until an organizer does."""
    organizer_required(competition=competition, actor=actor)
    reason = reason_required(reason)
    with transaction.atomic():
        Competition.objects.filter(pk=competition.pk).update(team_approval=enabled)
        audit_record(
            action="competition.team_approval",
            actor=actor,
            competition=competition,
            payload={"enabled": enabled, "reason": reason},
        )
    competition.team_approval = enabled
    return competition
