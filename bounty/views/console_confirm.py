"""The console's destructive actions (roll back, disqualify, close), each in two steps.

The console's form (or a GET with the choice in the query string) shows a confirmation page: exactly
what the action would change (``bounty.selectors.undo_preview``) and a form asking for the reason.
Nothing changes until that form is posted with ``confirm``; the action then runs only if the model's
head is still the version the page was made on, otherwise the page is shown again with the new preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from bounty.errors import DomainError
from bounty.lifecycle import competition_close, competition_rollback, team_disqualify
from bounty.models import Competition
from bounty.selectors.review import team_rows
from bounty.selectors.undo_preview import Preview, close_preview, disqualify_preview, rollback_preview
from bounty.views.console import _console, console_organizer
from bounty.views.console_forms import DisqualifyForm, RollbackForm, _reason

TEMPLATE = "console/confirm.html"


class ConfirmForm(forms.Form):
    reason = _reason()
    head = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


@dataclass
class Step:
    """One confirmation page: what it previews and how the action runs once confirmed."""

    title: str
    button: str
    preview: Preview
    act: Callable[[str], str]  # the reason -> the message shown on the console afterwards
    carry: dict[str, Any] = field(default_factory=dict)  # the choice, posted again with the confirmation


def _data(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _confirm(request: HttpRequest, competition: Competition, step: Step, *, reason: str = "") -> HttpResponse:
    data = _data(request)
    confirming = request.method == "POST" and bool(data.get("confirm"))
    initial = {"reason": reason, "head": step.preview.head}
    form = ConfirmForm(data if confirming else None, initial=initial)
    context = {"competition": competition, "step": step, "preview": step.preview, "form": form}
    if not confirming:
        return render(request, TEMPLATE, context)
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    if form.cleaned_data["head"] != step.preview.head:
        context["form"] = ConfirmForm(initial={**initial, "reason": form.cleaned_data["reason"]})
        context["stale"] = form.cleaned_data["head"]
        return render(request, TEMPLATE, context, status=409)
    try:
        done = step.act(form.cleaned_data["reason"])
    except DomainError as error:
        form.add_error("reason" if error.field == "reason" else None, error.message)
        return render(request, TEMPLATE, context, status=error.status)
    messages.success(request, done)
    return redirect("console:home", slug=competition.slug)


def _refused(request: HttpRequest, competition: Competition, name: str, form: forms.Form) -> HttpResponse:
    return _console(request, competition, name, form).render(status=400)


@login_required
@require_http_methods(["GET", "POST"])
def rollback(request: HttpRequest, slug: str) -> HttpResponse:
    user, competition = console_organizer(request, slug)
    choice = RollbackForm(_data(request), head=competition.head_version)
    choice.is_valid()
    if "version" not in choice.cleaned_data:
        return _refused(request, competition, "rollback_form", choice)
    version = int(choice.cleaned_data["version"])

    def act(reason: str) -> str:
        done = competition_rollback(competition=competition, version=version, actor=user, reason=reason)
        return f"Rolled back: v{done.number} predicts as v{done.target_version} did."

    preview = rollback_preview(competition=competition, version=version)
    step = Step(f"Roll back to v{version}", f"Roll back to v{version}", preview, act, {"version": version})
    return _confirm(request, competition, step, reason=_data(request).get("reason", ""))


@login_required
@require_http_methods(["GET", "POST"])
def disqualify(request: HttpRequest, slug: str) -> HttpResponse:
    user, competition = console_organizer(request, slug)
    eligible = [row.team for row in team_rows(competition=competition) if row.disqualification is None]
    choice = DisqualifyForm(_data(request), teams=eligible)
    choice.is_valid()
    if "team" not in choice.cleaned_data:
        return _refused(request, competition, "disqualify_form", choice)
    team = get_object_or_404(competition.teams, pk=choice.cleaned_data["team"])

    def act(reason: str) -> str:
        dq = team_disqualify(competition=competition, team=team, actor=user, reason=reason)
        return f"{team.name} is disqualified; the model was rebuilt without its updates as v{dq.version}."

    preview = disqualify_preview(competition=competition, team=team)
    step = Step(f"Disqualify {team.name}", f"Disqualify {team.name}", preview, act, {"team": team.pk})
    return _confirm(request, competition, step, reason=_data(request).get("reason", ""))


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, slug: str) -> HttpResponse:
    user, competition = console_organizer(request, slug)

    def act(reason: str) -> str:
        competition_close(competition=competition, actor=user, reason=reason)
        return "The competition is closed and its updates were confirmed."

    preview = close_preview(competition=competition)
    step = Step("Close the competition", "Close the competition", preview, act)
    data = _data(request)
    return _confirm(request, competition, step, reason=data.get("close-reason") or data.get("reason", ""))
