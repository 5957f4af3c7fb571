from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from bounty.errors import DomainError
from bounty.services.audit import audit_record


def api_token_issue(*, username: str, password: str) -> Token:
    """The user's API token (created on first use) for a correct user name and password."""
    user = authenticate(username=username, password=password)
    if not isinstance(user, User) or not user.is_active:
        raise DomainError("invalid_credentials", "The user name or password is wrong.")
    existing = Token.objects.filter(user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            token = Token.objects.create(user=user)
            audit_record(action="api.token_create", actor=user)
    except IntegrityError:  # a concurrent request created it first
        return Token.objects.get(user=user)
    return token


def api_token_revoke(*, user: User, actor: User) -> bool:
    """Delete ``user``'s API token: every client using it gets 401 from then on. ``actor`` is the user
    themself (or staff). Returns whether there was a token; a new one is issued at the next login."""
    if actor.pk != user.pk and not actor.is_staff:
        raise DomainError("forbidden", "Only the token's owner can revoke it.")
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is None:
            return False
        created = token.created.isoformat()
        token.delete()
        audit_record(action="api.token_revoke", actor=actor, payload={"user_id": user.pk, "created": created})
    return True
