"""The notices a person has not dismissed yet (``bounty.models.Notice``), newest first."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from bounty.models import Notice

SHOWN = 5


def notices_unread(*, user: User | AnonymousUser) -> list[Notice]:
    if not user.is_authenticated:
        return []
    return list(Notice.objects.filter(user_id=user.pk, dismissed_at__isnull=True)[:SHOWN])
