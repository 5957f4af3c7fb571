"""The console's landscape: where the current version does worst on the hidden holdout (organizers and
staff only; never shown to participants), and how much of each slice the accepted groups cover."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bounty.models import Landscape
from bounty.selectors.landscapes import explore_view
from bounty.services.landscapes import landscape_request
from bounty.views.console import console_organizer


@login_required
@require_GET
def landscape(request: HttpRequest, slug: str) -> HttpResponse:
    _, competition = console_organizer(request, slug)
    found = landscape_request(competition=competition, kind=Landscape.Kind.HOLDOUT)
    view = explore_view(landscape=found, column=request.GET.get("column"))
    covered = (found.data or {}).get("covered") if found.status == Landscape.Status.DONE else None
    context = {"competition": competition, "view": view, "covered": covered}
    return render(request, "console/landscape.html", context)
