"""Notices (why someone's credit changed) are shown at the top of every page until dismissed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bounty.services.notices import notice_dismiss
from bounty.views.base import current_user


@login_required
@require_POST
def dismiss(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice_dismiss(user=current_user(request), notice_id=notice_id)
    back = request.POST.get("next") or ""
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    return redirect(back if back and safe else "home")
