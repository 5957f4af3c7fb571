from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from bounty.errors import DomainError
from bounty.models import Competition, Membership, TermsAcceptance

AnyUser = User | AnonymousUser


def user_is_organizer(*, competition: Competition, user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return competition.organizers.filter(pk=user.pk).exists()


def competition_list(*, user: AnyUser) -> QuerySet[Competition]:
    """Open and closed competitions, plus drafts the user organizes (all drafts for staff)."""
    visible = Q(status__in=[Competition.Status.OPEN, Competition.Status.CLOSED])
    if user.is_authenticated and user.is_staff:
        return Competition.objects.all()
    if user.is_authenticated:
        visible |= Q(organizers=user)
    return Competition.objects.filter(visible).distinct()


def competition_get(*, slug: str, user: AnyUser) -> Competition:
    competition = competition_list(user=user).filter(slug=slug).first()
    if competition is None:
        raise DomainError("not_found", "There is no such competition.")
    return competition


def membership_get(*, competition: Competition, user: AnyUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("team").filter(competition=competition, user_id=user.pk).first()


def terms_accepted(*, competition: Competition, user: AnyUser) -> bool:
    """Whether the user accepted the *current* version of the terms."""
    if not user.is_authenticated:
        return False
    return TermsAcceptance.objects.filter(
        competition=competition, user_id=user.pk, terms_version=competition.terms_version
    ).exists()


@dataclass(frozen=True)
class DataCard:
    rows: list[tuple[str, int]]
    attributes: list[str]
    base_model: str
    other: list[tuple[str, str]] = field(default_factory=list)


def competition_data_card(*, competition: Competition) -> DataCard:
    card: dict[str, Any] = competition.data_card if isinstance(competition.data_card, dict) else {}
    rows = card.get("rows") if isinstance(card.get("rows"), dict) else {}
    attributes = card.get("attributes") if isinstance(card.get("attributes"), list) else []
    known = {"rows", "attributes", "base_model"}
    return DataCard(
        rows=[(str(k), int(v)) for k, v in (rows or {}).items() if isinstance(v, int | float)],
        attributes=[str(a) for a in attributes or []],
        base_model=str(card.get("base_model", "")),
        other=[(str(k), str(v)) for k, v in card.items() if k not in known],
    )
