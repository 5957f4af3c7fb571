from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from bounty.errors import DomainError
from bounty.models import Competition, TermsAcceptance
from bounty.services.audit import audit_record


def terms_accept(*, competition: Competition, user: User, terms_version: int) -> TermsAcceptance:
    """Record that ``user`` accepted ``terms_version``, which must be the current one."""
    if terms_version != competition.terms_version:
        raise DomainError(
            "terms_outdated",
            "These terms have changed since you opened the page; please read them again.",
            field="terms_version",
        )
    with transaction.atomic():
        acceptance, created = TermsAcceptance.objects.get_or_create(
            user=user, competition=competition, terms_version=terms_version
        )
        if created:
            audit_record(
                action="terms.accept",
                actor=user,
                competition=competition,
                payload={"terms_version": terms_version},
            )
    return acceptance
