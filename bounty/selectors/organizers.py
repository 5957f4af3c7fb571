"""Who may organize competitions, and the drafts of the create-competition wizard."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from bounty.errors import DomainError
from bounty.models import CompetitionDraft

ORGANIZER_GROUP = "organizers"


def can_organize(user: User | AnonymousUser) -> bool:
    """Staff users and members of the ``organizers`` group may create competitions."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff) or user.groups.filter(name=ORGANIZER_GROUP).exists()


def require_organizer(user: User | AnonymousUser) -> User:
    if not isinstance(user, User) or not can_organize(user):
        raise DomainError("forbidden", "Only organizers can create competitions.")
    return user


def draft_list(*, user: User) -> QuerySet[CompetitionDraft]:
    return CompetitionDraft.objects.filter(owner=user).select_related("competition")


def draft_get(*, user: User, draft_id: int) -> CompetitionDraft:
    """The user's own draft (staff may open any)."""
    drafts = CompetitionDraft.objects.all() if user.is_staff else draft_list(user=user)
    draft = drafts.filter(pk=draft_id).first()
    if draft is None:
        raise DomainError("not_found", "There is no such draft.")
    return draft
