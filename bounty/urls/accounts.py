"""The user's account: the account page, the API token's revoke, password change and reset by email."""

from __future__ import annotations

from django.urls import path

from bounty.ratelimit import rate_limited
from bounty.views import passwords, profile

P = "accounts/password/"

urlpatterns = [
    path("account/", profile.account, name="account"),
    path("account/token/revoke", profile.token_revoke, name="token_revoke"),
    path(f"{P}change/", passwords.PasswordChange.as_view(), name="password_change"),
    path(f"{P}change/done/", passwords.PasswordChangeDone.as_view(), name="password_change_done"),
    path(
        f"{P}reset/",
        rate_limited("password_reset")(passwords.PasswordReset.as_view()),
        name="password_reset",
    ),
    path(f"{P}reset/sent/", passwords.PasswordResetDone.as_view(), name="password_reset_done"),
    path(
        f"{P}reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(f"{P}reset/done/", passwords.PasswordResetComplete.as_view(), name="password_reset_complete"),
]
