"""A competition's console, under ``/competitions/<slug>/console/``: the review queue, every submission
with the organizer-only figures, the actions on the model (open, approve, decline, roll back,
disqualify, confirm, close) and the exports. Organizers and staff only (403 for anyone else); each
action on the model needs a reason and is recorded as an audit event. Roll back, disqualify and close
first show what they would change and act only once confirmed (``bounty.views.console_confirm``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from bounty.attachments import attachment
from bounty.errors import DomainError
from bounty.lifecycle import (
    competition_confirm,
    competition_set_manual_approval,
    submission_approve,
    submission_decline,
)
from bounty.models import Competition, Submission
from bounty.selectors.competitions import competition_get, user_is_organizer
from bounty.selectors.downloads import Download
from bounty.selectors.review import (
    awaiting_approval,
    decisions_for_review,
    organizer_actions,
    team_rows,
    versions_newest_first,
)
from bounty.selectors.submissions import submission_list_for_organizer
from bounty.selectors.team_approval import teams_awaiting_approval
from bounty.services.exports import bundle_export, submissions_csv
from bounty.services.organize import competition_open
from bounty.views.base import FormPage, current_user, form_page
from bounty.views.console_forms import (
    DisqualifyForm,
    ManualApprovalForm,
    NoteForm,
    ReasonForm,
    RollbackForm,
)
from bounty.views.console_teams import TeamApprovalForm

TEMPLATE = "console/home.html"
Action = Callable[[User, Competition, dict[str, Any]], str]


def console_organizer(request: HttpRequest, slug: str) -> tuple[User, Competition]:
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    if not user_is_organizer(competition=competition, user=user):
        raise DomainError("forbidden", "Only this competition's organizers can see this page.")
    return user, competition


def _context(competition: Competition, data: Any = None, **bound: forms.Form) -> dict[str, Any]:
    teams = team_rows(competition=competition)
    eligible = [row.team for row in teams if row.disqualification is None]
    context: dict[str, Any] = {
        "competition": competition,
        "awaiting": awaiting_approval(competition=competition),
        "decided": decisions_for_review(competition=competition),
        "versions": versions_newest_first(competition=competition),
        "teams": teams,
        "actions": organizer_actions(competition=competition),
        "note_form": NoteForm(),
        "rollback_form": RollbackForm(head=competition.head_version),
        "disqualify_form": DisqualifyForm(teams=eligible),
        "confirm_form": ReasonForm(prefix="confirm"),
        "close_form": ReasonForm(prefix="close"),
        "approval_form": ManualApprovalForm(initial={"enabled": competition.manual_approval}),
        "teams_waiting": teams_awaiting_approval(competition=competition),
        "team_approval_form": TeamApprovalForm(initial={"enabled": competition.team_approval}),
    }
    context.update(bound)
    for key, value in context.items():  # several forms share field names: keep their ids unique
        if isinstance(value, forms.Form):
            value.auto_id = f"{key.removesuffix('_form')}-%s"
    return context


def _act(
    request: HttpRequest, slug: str, name: str, make: Callable[[Competition], forms.Form], act: Action
) -> HttpResponse:
    """Validate the posted form, run the action and go back to the console with the action's message;
    an invalid form or a refusal shows the console again, the error next to the form."""
    user, competition = console_organizer(request, slug)
    form = make(competition)
    if not form.is_valid():
        return _console(request, competition, name, form).render(status=400)
    try:
        done = act(user, competition, form.cleaned_data)
    except DomainError as error:
        return _console(request, competition, name, form).refuse(error)
    messages.success(request, done)
    return redirect("console:home", slug=competition.slug)


def _console(request: HttpRequest, competition: Competition, name: str, form: forms.Form) -> FormPage:
    """The console page with ``form`` in the place of the blank form called ``name``."""
    return form_page(request, TEMPLATE, _context(competition, **{name: form}), form=form)


@login_required
@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    _, competition = console_organizer(request, slug)
    return render(request, TEMPLATE, _context(competition))


@login_required
@require_GET
def submissions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every submission of the competition, newest first, with the figures behind each decision."""
    _, competition = console_organizer(request, slug)
    context = {
        "competition": competition,
        "submissions": submission_list_for_organizer(competition=competition),
    }
    return render(request, "console/submissions.html", context)


@login_required
@require_POST
def open_competition(request: HttpRequest, slug: str) -> HttpResponse:
    """Open a draft competition for submissions (the last step after the wizard)."""
    user = current_user(request)
    competition = competition_get(slug=slug, user=user)
    competition_open(competition=competition, user=user)
    return redirect("competition", slug=competition.slug)


def _waiting(competition: Competition, submission_id: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("competition"), pk=submission_id, competition=competition
    )


@login_required
@require_POST
def approve(request: HttpRequest, slug: str, submission_id: int) -> HttpResponse:
    def act(user: User, competition: Competition, data: dict[str, Any]) -> str:
        done = submission_approve(
            submission=_waiting(competition, submission_id), actor=user, note=data["note"]
        )
        return f"Submission #{done.pk} approved: {done.get_status_display().lower()}."

    return _act(request, slug, "note_form", lambda c: NoteForm(request.POST), act)


@login_required
@require_POST
def decline(request: HttpRequest, slug: str, submission_id: int) -> HttpResponse:
    def act(user: User, competition: Competition, data: dict[str, Any]) -> str:
        done = submission_decline(
            submission=_waiting(competition, submission_id), actor=user, note=data["note"]
        )
        return f"Submission #{done.pk} declined."

    return _act(request, slug, "note_form", lambda c: NoteForm(request.POST), act)


@login_required
@require_POST
def confirm(request: HttpRequest, slug: str) -> HttpResponse:
    def act(user: User, competition: Competition, data: dict[str, Any]) -> str:
        confirmed, unconfirmed = competition_confirm(
            competition=competition, actor=user, reason=data["reason"]
        )
        return f"Confirmation: {confirmed} updates confirmed, {unconfirmed} not confirmed."

    return _act(request, slug, "confirm_form", lambda c: ReasonForm(request.POST, prefix="confirm"), act)


@login_required
@require_POST
def manual_approval(request: HttpRequest, slug: str) -> HttpResponse:
    def act(user: User, competition: Competition, data: dict[str, Any]) -> str:
        enabled = bool(data["enabled"])
        competition_set_manual_approval(
            competition=competition, actor=user, enabled=enabled, reason=data["reason"]
        )
        return "Manual approval is on." if enabled else "Manual approval is off."

    return _act(request, slug, "approval_form", lambda c: ManualApprovalForm(request.POST), act)


@login_required
@require_GET
def export_bundle(request: HttpRequest, slug: str) -> HttpResponseBase:
    user, competition = console_organizer(request, slug)
    filename, data = bundle_export(competition=competition, actor=user)
    return attachment(Download(filename, "application/zip", content=data))


@login_required
@require_GET
def export_submissions(request: HttpRequest, slug: str) -> HttpResponseBase:
    user, competition = console_organizer(request, slug)
    text = submissions_csv(competition=competition, actor=user)
    name = f"{competition.slug}-submissions.csv"
    return attachment(Download(name, "text/csv; charset=utf-8", content=text.encode()))
