"""The console's team approval (``/competitions/<slug>/console/teams/``): approve a waiting team, turn
team approval on or off. Organizers and staff only; each action is recorded in the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from bounty.errors import DomainError
from bounty.selectors.competitions import competition_get
from bounty.services.organizer_guards import organizer_required
from bounty.services.team_approval import competition_set_team_approval, team_approve
from bounty.views.base import current_user
from bounty.views.console_forms import REASON_HELP

ANCHOR = "#team-approval"


class TeamApprovalForm(forms.Form):
    enabled = forms.BooleanField(label="Approve each team before it can submit", required=False)
    reason = forms.CharField(
        label="Reason", max_length=2000, help_text=REASON_HELP, widget=forms.Textarea(attrs={"rows": 2})
    )


def _back(slug: str) -> HttpResponse:
    return redirect(reverse("console:home", kwargs={"slug": slug}) + ANCHOR)


@login_required
@require_POST
def approve_team(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    organizer_required(competition=competition, actor=user)
    team = get_object_or_404(competition.teams, pk=team_id)
    try:
        team_approve(competition=competition, team=team, actor=user)
    except DomainError as error:
        if error.code != "already_approved":
            raise
        messages.info(request, error.message)
        return _back(slug)
    messages.success(request, f"{team.name} is approved and can submit.")
    return _back(slug)


@login_required
@require_POST
def team_approval(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    form = TeamApprovalForm(request.POST)
    form.is_valid()  # the service checks the reason and refuses it with its cause
    enabled = bool(form.cleaned_data.get("enabled"))
    reason = str(request.POST.get("reason", ""))
    competition_set_team_approval(competition=competition, actor=user, enabled=enabled, reason=reason)
    messages.success(request, "Team approval is on." if enabled else "Team approval is off.")
    return _back(slug)
