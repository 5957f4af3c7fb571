"""What the platform knows of a person beyond Django's user: whether their email address is confirmed.

A user created by the sign-up page gets an ``Account`` with ``email_confirmed_at`` unset and may not
join a team or submit until they follow the link mailed to them. Users made by an operator (the admin,
``createsuperuser``, ``make_organizer``) have no row and are trusted as they are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Account(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        state = "confirmed" if self.email_confirmed_at else "unconfirmed"
        return f"{self.user} ({state})"
