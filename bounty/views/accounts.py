from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from bounty.errors import DomainError
from bounty.forms import SignupForm
from bounty.selectors.accounts import email_confirmed
from bounty.services.accounts import CONFIRMATION_MAX_AGE, confirmation_send, email_confirm
from bounty.services.users import user_create
from bounty.views.base import current_user, form_page

BACKEND = "django.contrib.auth.backends.ModelBackend"


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    page = form_page(request, "registration/signup.html", {"form": form, "next": next_url}, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"] or "",
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            return page.refuse(error)
        login(request, user, backend=BACKEND)
        safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
        query = f"?{urlencode({'next': next_url})}" if next_url and safe else ""
        return redirect(reverse("email_confirmation") + query)
    return page.render(status=400 if form.errors else 200)


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    return next_url if next_url and safe else ""


@login_required
@require_GET
def email_confirmation(request: HttpRequest) -> HttpResponse:
    """The next step after sign-up: confirm the address, then pick a competition and a team."""
    user = current_user(request)
    context = {
        "confirmed": email_confirmed(user=user),
        "email": user.email,
        "days": CONFIRMATION_MAX_AGE.days,
        "next": _next_url(request),
    }
    return render(request, "registration/email_confirmation.html", context)


@login_required
@require_POST
def email_confirmation_resend(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link again (rate limited per user: ``rate_limited("resend")``)."""
    user = current_user(request)
    if email_confirmed(user=user):
        messages.info(request, "Your email address is already confirmed.")
    elif confirmation_send(user=user):
        messages.success(request, f"We sent a new confirmation link to {user.email}.")
    else:
        messages.error(request, "We could not send the email. Try again in a few minutes.")
    return redirect("email_confirmation")


@require_GET
def email_confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: confirms the address, logs the user in and shows the next step."""
    try:
        user, confirmed_now = email_confirm(token=token)
    except DomainError as error:
        context = {"error": error, "logged_in": request.user.is_authenticated}
        return render(request, "registration/email_confirm_failed.html", context, status=error.status)
    if confirmed_now:
        login(request, user, backend=BACKEND)
        messages.success(request, "Your email address is confirmed. Next: create or join a team.")
    else:
        messages.info(request, "Your email address was already confirmed.")
    return redirect("email_confirmation")
