"""The user's own account page (``/account/``): teams, submissions, the API token and its revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bounty.selectors.profile import profile_get
from bounty.services.tokens import api_token_revoke
from bounty.views.base import current_user


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html", {"profile": profile_get(user=current_user(request))})


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if api_token_revoke(user=user, actor=user):
        messages.success(request, "Your API token is revoked: clients using it are refused from now on.")
    else:
        messages.info(request, "You had no API token.")
    return redirect("account")
