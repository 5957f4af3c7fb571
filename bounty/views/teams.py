from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from bounty.errors import DomainError
from bounty.forms import TeamCreateForm, TeamJoinForm
from bounty.selectors.accounts import email_confirmed
from bounty.selectors.competitions import competition_get, membership_get
from bounty.services.teams import team_create, team_join
from bounty.views.base import current_user, form_page


@login_required
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    action = request.POST.get("action") if request.method == "POST" else None
    create_form = TeamCreateForm(request.POST if action == "create" else None)
    join_form = TeamJoinForm(request.POST if action == "join" else None)
    membership = membership_get(competition=competition, user=user)
    context = {
        "competition": competition,
        "membership": membership,
        "members": membership.team.memberships.select_related("user") if membership else [],
        "create_form": create_form,
        "join_form": join_form,
        "email_confirmed": email_confirmed(user=user),
    }
    active = join_form if action == "join" else create_form
    page = form_page(request, "teams/page.html", context, form=active)
    try:
        if action == "create" and create_form.is_valid():
            team_create(competition=competition, name=create_form.cleaned_data["name"], user=user)
            return redirect("team", slug=competition.slug)
        if action == "join" and join_form.is_valid():
            team_join(competition=competition, invite_code=join_form.cleaned_data["invite_code"], user=user)
            return redirect("team", slug=competition.slug)
    except DomainError as error:
        return page.refuse(error)
    return page.render(status=400 if action else 200)
