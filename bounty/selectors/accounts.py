"""Whether a person may take part yet: a self-signed-up user must confirm their email address first."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from bounty.models import Account


def email_confirmed(*, user: User | AnonymousUser) -> bool:
    """Confirmed, or made by an operator (no ``Account`` row: the admin, ``createsuperuser``, tests)."""
    if not user.is_authenticated:
        return False
    account = Account.objects.filter(user_id=user.pk).only("email_confirmed_at").first()
    return account is None or account.email_confirmed_at is not None


def awaiting_confirmation(*, user: User | AnonymousUser) -> bool:
    """A signed-up user who has not confirmed their email address yet."""
    return user.is_authenticated and not email_confirmed(user=user)
