"""Setting a user's password, whether they changed it (knowing the old one) or reset it by email."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction

from bounty.services.audit import audit_record

How = Literal["change", "reset"]


def user_password_set(*, user: User, password: str, how: How) -> User:
    """Set ``user``'s password (already validated by the form) and record it. Changing the password
    ends the user's other sessions (Django checks each session against the password's hash)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(action=f"user.password_{how}", actor=user, payload={"user_id": user.pk})
    return user
