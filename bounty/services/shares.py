"""A team's split of its rewards among its members, changed by a member until the payout date."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bounty.errors import DomainError
from bounty.models import Membership, RewardProgram, Team, TeamShare
from bounty.services.audit import audit_record

MAX_WEIGHT = 1000


def share_set(*, team: Team, user: User, weights: dict[str, int]) -> None:
    """Set each member's weight (by username); every current member needs one and the total must be
    positive. ``{}`` goes back to equal shares."""
    members = {m.user.username: m.user for m in Membership.objects.filter(team=team).select_related("user")}
    if user.username not in members:
        raise DomainError("not_found", "There is no such team.")
    program = RewardProgram.objects.filter(competition_id=team.competition_id).first()
    if program is not None and timezone.now().date() > program.payout_date:
        raise DomainError("payout_date_passed", "The payout date has passed; the split is final.")
    if weights and set(weights) != set(members):
        missing = ", ".join(sorted(set(members) - set(weights))) or "none"
        extra = ", ".join(sorted(set(weights) - set(members))) or "none"
        raise DomainError(
            "invalid_data",
            f"Give a weight for each member (missing: {missing}; not members: {extra}).",
            field="weights",
        )
    values = list(weights.values())
    if any(isinstance(w, bool) or not isinstance(w, int) or not 0 <= w <= MAX_WEIGHT for w in values) or (
        weights and sum(values) == 0
    ):
        raise DomainError(
            "invalid_data", f"Weights are whole numbers from 0 to {MAX_WEIGHT}, not all 0.", field="weights"
        )
    with transaction.atomic():
        TeamShare.objects.filter(team=team).delete()
        TeamShare.objects.bulk_create(
            [TeamShare(team=team, user=members[name], weight=w) for name, w in weights.items()]
        )
        audit_record(
            action="team.split",
            actor=user,
            competition=team.competition,
            payload={"team_id": team.pk, "weights": dict(sorted(weights.items()))},
        )
