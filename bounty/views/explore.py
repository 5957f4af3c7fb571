"""A competition's Explore tab: where the current global model does worst on the public train split
(``bounty.selectors.landscapes``), each group one click from a submission."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bounty.errors import DomainError
from bounty.selectors.competitions import competition_get
from bounty.selectors.landscapes import explore_access, explore_view
from bounty.services.landscapes import landscape_request
from bounty.views.base import current_user


@login_required
@require_GET
def explore_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    try:
        explore_access(competition=competition, user=user)
    except DomainError as error:
        refused = {"competition": competition, "refused": error}
        return render(request, "competitions/explore.html", refused, status=403)
    landscape = landscape_request(competition=competition)
    pair = (request.GET.get("a", ""), request.GET.get("b", ""))
    view = explore_view(landscape=landscape, column=request.GET.get("column"), pair=pair)
    return render(request, "competitions/explore.html", {"competition": competition, "view": view})
