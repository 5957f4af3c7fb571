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
