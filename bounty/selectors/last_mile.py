"""Reads of last-mile audits: the public ones of a competition, a user's own, one visible audit."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from bounty.errors import DomainError
from bounty.models import Competition, LastMileAudit
from bounty.selectors.competitions import competition_get
from scoring.report import Report


def audit_list_public(*, competition: Competition) -> QuerySet[LastMileAudit]:
    return competition.last_mile_audits.filter(public=True).select_related("author")


def audit_list_mine(*, competition: Competition, user: User | AnonymousUser) -> QuerySet[LastMileAudit]:
    if not user.is_authenticated:
        return LastMileAudit.objects.none()
    return competition.last_mile_audits.filter(author_id=user.pk)


def audit_get_visible(*, audit_id: int, user: User | AnonymousUser) -> LastMileAudit:
    """A published audit, or the user's own; 404 otherwise (a private audit is not revealed)."""
    audit = LastMileAudit.objects.select_related("competition", "author").filter(pk=audit_id).first()
    if audit is None or not (audit.public or (user.is_authenticated and audit.author_id == user.pk)):
        raise DomainError("not_found", "There is no such report.")
    competition_get(slug=audit.competition.slug, user=user)  # the competition must be visible too
    return audit


def audit_report(audit: LastMileAudit) -> Report | None:
    return Report.from_json(audit.report) if audit.report else None
