from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bounty.errors import DomainError
from bounty.services.audit import audit_record


def user_create(*, username: str, email: str, password: str) -> User:
    username = username.strip()
    if not username:
        raise DomainError("username_required", "Choose a user name.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("username_taken", "This user name is taken.", field="username")
    candidate = User(username=username, email=email.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise DomainError("weak_password", " ".join(exc.messages), field="password1") from exc
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
            audit_record(action="user.create", actor=candidate, payload={"username": username})
    except IntegrityError as exc:
        raise DomainError("username_taken", "This user name is taken.", field="username") from exc
    return candidate
