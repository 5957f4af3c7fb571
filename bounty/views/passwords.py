"""Password change (knowing the old one) and reset by email: Django's views with the site's templates,
the new password set through ``bounty.services.passwords`` (so it is recorded in the audit log) and the
reset link built on ``BOUNTY_SITE_URL``, like every other link the site mails."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User

from bounty.services.passwords import How, user_password_set


def _set(form: auth_forms.SetPasswordForm, how: How, commit: bool) -> User:
    user: User = form.user
    if commit:
        return user_password_set(user=user, password=form.cleaned_data["new_password1"], how=how)
    user.set_password(form.cleaned_data["new_password1"])
    return user


class ChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        return _set(self, "change", commit)


class ResetSetForm(auth_forms.SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        return _set(self, "reset", commit)


class PasswordChange(auth_views.PasswordChangeView):
    """Needs the old password; this session stays logged in, the user's other sessions end."""

    form_class = ChangeForm
    template_name = "registration/password_change_form.html"


class PasswordChangeDone(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class PasswordReset(auth_views.PasswordResetView):
    """Asks for an email address; says the same whether or not an account has it (no enumeration)."""

    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        return {"site_url": settings.BOUNTY_SITE_URL}


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"

    @property
    def extra_context(self) -> dict[str, Any]:  # type: ignore[override]
        return {"days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86_400)}


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    form_class = ResetSetForm
    template_name = "registration/password_reset_confirm.html"


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
