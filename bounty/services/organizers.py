"""Who may organize competitions: membership of the ``organizers`` group, granted and revoked here
(by the ``make_organizer`` management command, and by ``seed_demo`` for the demo's organizer)."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.db import transaction

from bounty.selectors.organizers import ORGANIZER_GROUP
from bounty.services.audit import audit_record


def organizer_grant(*, user: User, actor: User | None = None) -> bool:
    """Put ``user`` in the organizers group (they may then create competitions); returns whether
    anything changed. ``actor`` None is the platform (a management command run by an operator)."""
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=ORGANIZER_GROUP)
        if user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.add(group)
        audit_record(
            action="organizer.grant", actor=actor, payload={"user_id": user.pk, "username": user.username}
        )
    return True


def organizer_revoke(*, user: User, actor: User | None = None) -> bool:
    """Take ``user`` out of the organizers group (competitions they organize stay theirs); returns
    whether anything changed."""
    with transaction.atomic():
        group = Group.objects.filter(name=ORGANIZER_GROUP).first()
        if group is None or not user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.remove(group)
        audit_record(
            action="organizer.revoke", actor=actor, payload={"user_id": user.pk, "username": user.username}
        )
    return True
