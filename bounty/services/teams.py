from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from bounty.errors import DomainError
from bounty.models import Competition, Membership, Team
from bounty.services.accounts import email_confirmed_required
from bounty.services.audit import audit_record


def _ensure_joinable(*, competition: Competition, user: User) -> None:
    email_confirmed_required(user=user)
    if competition.status != Competition.Status.OPEN:
        raise DomainError("competition_not_open", "This competition does not take new teams.")
    if Membership.objects.filter(competition=competition, user=user).exists():
        raise DomainError("already_in_team", "You are already in a team for this competition.")


def team_create(*, competition: Competition, name: str, user: User) -> Team:
    name = " ".join(name.split())
    if not name:
        raise DomainError("team_name_required", "Choose a team name.", field="name")
    _ensure_joinable(competition=competition, user=user)
    if Team.objects.filter(competition=competition, name__iexact=name).exists():
        raise DomainError("team_name_taken", "This team name is taken.", field="name")
    try:
        with transaction.atomic():
            team = Team.objects.create(competition=competition, name=name)
            Membership.objects.create(team=team, competition=competition, user=user)
            audit_record(
                action="team.create",
                actor=user,
                competition=competition,
                payload={"team_id": team.pk, "name": name},
            )
    except IntegrityError as exc:
        raise DomainError("team_conflict", "This team name is taken or you already have a team.") from exc
    return team


def team_join(*, competition: Competition, invite_code: str, user: User) -> Team:
    team = Team.objects.filter(competition=competition, invite_code=invite_code.strip()).first()
    if team is None:
        raise DomainError("invalid_invite_code", "No team has this invite code.", field="invite_code")
    _ensure_joinable(competition=competition, user=user)
    try:
        with transaction.atomic():
            Membership.objects.create(team=team, competition=competition, user=user)
            audit_record(
                action="team.join", actor=user, competition=competition, payload={"team_id": team.pk}
            )
    except IntegrityError as exc:
        raise DomainError("already_in_team", "You are already in a team for this competition.") from exc
    return team
