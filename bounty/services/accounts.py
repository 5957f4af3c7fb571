"""Confirming a signed-up user's email address.

Sign-up (``bounty.services.users.user_create``) gives the user an ``Account`` with
``email_confirmed_at`` unset and mails them a link. The link carries a token signed with the site's
secret key (``django.core.signing``, its own salt) over the user's id and email address: it expires
after ``CONFIRMATION_MAX_AGE`` and stops working if the address changes. Until they follow it, the user
may not create or join a team nor submit (``email_confirmed_required``, 403 ``email_unconfirmed``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bounty.errors import DomainError
from bounty.models import Account
from bounty.selectors.accounts import email_confirmed
from bounty.services.audit import audit_record

log = logging.getLogger(__name__)
SALT = "bounty.accounts.email-confirmation"
CONFIRMATION_MAX_AGE = timedelta(days=3)


def _site_url(path: str) -> str:
    return str(getattr(settings, "BOUNTY_SITE_URL", "http://127.0.0.1:8000")).rstrip("/") + path


def email_confirmed_required(*, user: User) -> None:
    """Refuse (403 ``email_unconfirmed``) a user who signed up and has not confirmed their address."""
    if not email_confirmed(user=user):
        raise DomainError(
            "email_unconfirmed",
            "Confirm your email address first: follow the link in the email we sent you when you "
            f"signed up, or ask for a new one at {_site_url(reverse('email_confirmation'))}",
        )


def confirmation_token(*, user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT, compress=True)


def confirmation_send(*, user: User) -> bool:
    """Mail ``user`` a confirmation link; ``False`` when there is no address or the mail failed."""
    if not user.email:
        return False
    link = _site_url(reverse("email_confirm", args=[confirmation_token(user=user)]))
    days = CONFIRMATION_MAX_AGE.days
    body = "\n".join(
        [
            f"Hello {user.username},",
            "",
            "Confirm your email address for the Bias Bounty by opening this link:",
            link,
            "",
            f"It works for {days} days. Then pick a competition, create or join a team and submit:",
            _site_url(reverse("competitions")),
            "",
            "If you did not sign up, ignore this email.",
        ]
    )
    try:
        send_mail("Confirm your email address", body, None, [user.email])
    except Exception:  # the page offers to send it again
        log.exception("could not send the confirmation email to user %s", user.pk)
        return False
    return True


def _refused(message: str) -> DomainError:
    return DomainError("invalid_confirmation_link", message)


def email_confirm(*, token: str) -> tuple[User, bool]:
    """The user the link is for, and whether this click confirmed them (``False``: already done)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise _refused("This confirmation link has expired. Log in and ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise _refused("This confirmation link is not valid. Check that you copied all of it.") from exc
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or user.email != data.get("email"):
        raise _refused("This confirmation link is for an address that changed. Ask for a new one.")
    with transaction.atomic():
        account, _ = Account.objects.select_for_update().get_or_create(user=user)
        if account.email_confirmed_at is not None:
            return user, False
        account.email_confirmed_at = timezone.now()
        account.save(update_fields=["email_confirmed_at"])
        audit_record(action="user.email_confirm", actor=user, payload={"email": user.email})
    return user, True
