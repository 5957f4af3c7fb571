from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from bounty.engine_adapter import group_describe, group_parse, group_preview_mass
from bounty.errors import DomainError
from bounty.selectors.competitions import competition_get, terms_accepted
from bounty.views.base import json_view


@json_view
@require_GET
def group_preview(request: HttpRequest, slug: str) -> JsonResponse:
    """The group's share of the public train rows, for the live preview on the submit page."""
    if not request.user.is_authenticated:
        raise DomainError("login_required", "Please log in.")
    competition = competition_get(slug=slug, user=request.user)
    if not terms_accepted(competition=competition, user=request.user):
        raise DomainError("terms_not_accepted", "Accept the current terms first.")
    tree = group_parse(competition=competition, text=request.GET.get("group", ""))
    mass = group_preview_mass(competition=competition, tree=tree)
    return JsonResponse({"mass": mass, "description": group_describe(tree)})
