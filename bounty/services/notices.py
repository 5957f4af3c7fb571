"""Dismissing a notice: it is no longer shown (it stays on record)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from bounty.errors import DomainError
from bounty.models import Notice


def notice_dismiss(*, user: User, notice_id: int) -> None:
    """Hide one of ``user``'s notices; someone else's is not found."""
    if not Notice.objects.filter(pk=notice_id, user=user).exists():
        raise DomainError("not_found", "There is no such notice.")
    Notice.objects.filter(pk=notice_id, user=user, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )
