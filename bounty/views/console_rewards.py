"""The console's reward pages (organizers and staff): the program form, the ledger with its queued
awards to release or decline, corrections and payment marks, and the payout CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bounty.attachments import attachment
from bounty.errors import DomainError
from bounty.lifecycle.rewards import (
    entry_decline,
    entry_mark_paid,
    entry_release,
    ledger_correct,
    program_set,
)
from bounty.models import Competition, LedgerEntry, Team
from bounty.selectors.downloads import Download
from bounty.selectors.rewards import competition_earnings, competition_program, program_view
from bounty.services.exports import payout_csv
from bounty.views.base import form_page
from bounty.views.console import console_organizer
from bounty.views.reward_forms import CorrectionForm, ProgramForm


@login_required
@require_http_methods(["GET", "POST"])
def program(request: HttpRequest, slug: str) -> HttpResponse:
    user, competition = console_organizer(request, slug)
    current = competition_program(competition)
    form = ProgramForm(request.POST or None, initial=ProgramForm.initial_of(current))
    page = form_page(request, "console/program.html", {"competition": competition, "form": form}, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            program_set(competition=competition, actor=user, **form.cleaned_data)
        except DomainError as error:
            return page.refuse(error)
        messages.success(request, "The reward program is saved; awards due under it are in the ledger.")
        return redirect("console:ledger", slug=competition.slug)
    return page.render(status=400 if form.errors else 200)


def _teams(competition_id: int) -> list[tuple[int, str]]:
    return list(Team.objects.filter(competition_id=competition_id).order_by("name").values_list("pk", "name"))


@login_required
@require_GET
def ledger(request: HttpRequest, slug: str) -> HttpResponse:
    _, competition = console_organizer(request, slug)
    return _ledger_page(request, competition, CorrectionForm(teams=_teams(competition.pk)))


def _ledger_page(
    request: HttpRequest, competition: Competition, form: CorrectionForm, status: int = 200
) -> HttpResponse:
    found = competition_program(competition)
    context = {
        "competition": competition,
        "program": program_view(found) if found is not None else None,
        "earnings": competition_earnings(competition),
        "entries": LedgerEntry.objects.filter(competition=competition).select_related("team").order_by("-id"),
        "form": form,
    }
    return render(request, "console/ledger.html", context, status=status)


@login_required
@require_POST
def correct(request: HttpRequest, slug: str) -> HttpResponse:
    user, competition = console_organizer(request, slug)
    form = CorrectionForm(request.POST, teams=_teams(competition.pk))
    if not form.is_valid():
        return _ledger_page(request, competition, form, status=400)
    team = Team.objects.get(pk=int(form.cleaned_data["team"]), competition=competition)
    try:
        ledger_correct(competition=competition, team=team, amount=form.cleaned_data["amount"], actor=user,
                       reason=form.cleaned_data["reason"])  # fmt: skip
    except DomainError as error:
        form.add_error("amount" if error.field == "amount" else None, error.message)
        return _ledger_page(request, competition, form, status=error.status)
    messages.success(request, f"Correction of {form.cleaned_data['amount']} to {team.name} recorded.")
    return redirect("console:ledger", slug=competition.slug)


@login_required
@require_POST
def entry_action(request: HttpRequest, slug: str, entry_id: int, action: str) -> HttpResponse:
    user, competition = console_organizer(request, slug)
    try:
        if action == "release":
            entry_release(competition=competition, entry_id=entry_id, actor=user)
        elif action == "decline":
            entry_decline(
                competition=competition, entry_id=entry_id, actor=user, reason=request.POST.get("reason", "")
            )
        elif action == "paid":
            entry_mark_paid(competition=competition, entry_id=entry_id, actor=user)
        else:
            raise DomainError("not_found", "No such action.")
    except DomainError as error:
        if error.code == "not_found":
            raise
        messages.error(request, error.message)
        return redirect("console:ledger", slug=competition.slug)
    messages.success(request, f"Entry {entry_id}: {action} done.")
    return redirect("console:ledger", slug=competition.slug)


@login_required
@require_GET
def export_payouts(request: HttpRequest, slug: str) -> HttpResponseBase:
    user, competition = console_organizer(request, slug)
    text = payout_csv(competition=competition, actor=user)
    return attachment(
        Download(f"{competition.slug}-payouts.csv", "text/csv; charset=utf-8", content=text.encode())
    )
