from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bounty.errors import DomainError
from bounty.models import Account
from bounty.services.accounts import confirmation_send
from bounty.services.audit import audit_record


def user_create(*, username: str, email: str, password: str, needs_confirmation: bool = True) -> User:
    """A signed-up user: unconfirmed until they follow the link mailed to them once this commits.
    ``needs_confirmation=False`` (users an operator makes, such as the demo's) skips both."""
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
            if needs_confirmation:
                Account.objects.create(user=candidate)
                transaction.on_commit(lambda: confirmation_send(user=candidate))
    except IntegrityError as exc:
        raise DomainError("username_taken", "This user name is taken.", field="username") from exc
    return candidate
