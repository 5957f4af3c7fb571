"""Findings and rewards for participants and the public: the program page, the published findings and
each finding's page, the form that submits a finding, and a team's earnings with its split."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from bounty.errors import DomainError
from bounty.lifecycle.submit import finding_create
from bounty.models import Submission
from bounty.selectors.competitions import competition_get, membership_get
from bounty.selectors.findings import finding_of, published_findings
from bounty.selectors.published import competition_step
from bounty.selectors.rewards import competition_program, program_view, team_earnings, team_entries
from bounty.selectors.rules import competition_rules
from bounty.services.shares import share_set
from bounty.views.base import current_user, form_page
from bounty.views.reward_forms import FindingForm, SplitForm
from scoring.groups import MAX_TEXT


@require_GET
def program_page(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    program = competition_program(competition)
    context = {
        "competition": competition,
        "program": program_view(program) if program is not None else None,
        "beta": competition_rules(competition=competition).beta,
        "step": competition_step(competition),
    }
    return render(request, "competitions/program.html", context)


@require_GET
def findings_page(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    context = {
        "competition": competition,
        "findings": published_findings(competition=competition),
        "step": competition_step(competition),
    }
    return render(request, "competitions/findings.html", context)


@require_GET
def finding_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_object_or_404(
        Submission.objects.select_related("competition"), pk=submission_id, kind=Submission.Kind.FINDING
    )
    competition = competition_get(slug=submission.competition.slug, user=request.user)
    finding = finding_of(submission)
    if finding is None:  # not (yet) accepted: only its team sees it, on its submission page
        raise DomainError("not_found", "There is no such published finding.")
    context = {"competition": competition, "f": finding, "step": competition_step(competition)}
    return render(request, "competitions/finding.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def find_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    form = FindingForm(request.POST or None, initial={"group_text": request.GET.get("group", "")[:MAX_TEXT]})
    context = {
        "competition": competition,
        "form": form,
        "beta": competition_rules(competition=competition).beta,
        "program": competition_program(competition),
    }
    page = form_page(request, "submissions/find.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            submission = finding_create(
                competition=competition,
                user=user,
                group_text=form.cleaned_data["group_text"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            return page.refuse(error)
        return redirect("submission_detail", submission_id=submission.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def earnings_page(request: HttpRequest, slug: str) -> HttpResponse:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    membership = membership_get(competition=competition, user=user)
    if membership is None:
        raise DomainError("no_team", "Create or join a team to earn rewards.")
    team = membership.team
    earnings = team_earnings(team)
    members = list(team.memberships.select_related("user").order_by("joined_at", "id"))
    weights = {m.user_id: w for m, w in zip(members, earnings.split.weights, strict=True)}
    form = SplitForm(request.POST or None, members=members, weights=weights)
    context = {
        "competition": competition,
        "team": team,
        "earnings": earnings,
        "entries": team_entries(team),
        "program": competition_program(competition),
        "form": form,
    }
    page = form_page(request, "teams/earnings.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            share_set(team=team, user=user, weights=form.weights())
        except DomainError as error:
            return page.refuse(error)
        return redirect("earnings", slug=competition.slug)
    return page.render(status=400 if form.errors else 200)
