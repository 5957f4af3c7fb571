"""The create-competition wizard (``/wizard/...``): server-rendered steps, state kept server-side."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from bounty.errors import DomainError
from bounty.models import CompetitionDraft
from bounty.selectors.organizers import draft_get, draft_list, require_organizer
from bounty.services import wizard as service
from bounty.services.organize import draft_preflight
from bounty.views.base import current_user, form_page
from bounty.wizard.files import parquet_supported
from bounty.wizard.forms import DataForm, ModelForm, RulesForm, SchemaForm, StartForm
from bounty.wizard.preflight import FORMULA
from bounty.wizard.training import ALGORITHMS

Step = CompetitionDraft.Step
ORDER = [Step.DATA, Step.SCHEMA, Step.MODEL, Step.RULES, Step.REVIEW]
URLS = {
    Step.DATA: "wizard:data",
    Step.SCHEMA: "wizard:schema",
    Step.MODEL: "wizard:model",
    Step.RULES: "wizard:rules",
    Step.REVIEW: "wizard:review",
}


def _draft(request: HttpRequest, draft_id: int, step: str) -> CompetitionDraft | HttpResponse:
    """The draft, or a redirect when its step is not reached yet (or it is finished)."""
    user = require_organizer(current_user(request))
    draft = draft_get(user=user, draft_id=draft_id)
    if draft.step == Step.DONE:
        return redirect("wizard:index")
    if ORDER.index(Step(step)) > ORDER.index(Step(draft.step)):
        return redirect(URLS[Step(draft.step)], draft_id=draft.pk)
    return draft


def _context(draft: CompetitionDraft, step: str, **extra: Any) -> dict[str, Any]:
    reached = ORDER.index(Step(draft.step))
    steps = [(s.label, URLS[s], i <= reached, s == step) for i, s in enumerate(ORDER)]
    return {"draft": draft, "steps": steps, **extra}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = require_organizer(current_user(request))
    form = StartForm(request.POST or None)
    context = {"form": form, "drafts": draft_list(user=user)}
    page = form_page(request, "wizard/index.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            draft = service.draft_start(user=user, **form.cleaned_data)
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:data", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
def data(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(request, draft_id, Step.DATA)
    if isinstance(draft, HttpResponse):
        return draft
    form = DataForm(request.POST or None, request.FILES or None)
    context = _context(draft, Step.DATA, form=form, parquet=parquet_supported())
    page = form_page(request, "wizard/data.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            _upload(draft, form.cleaned_data)
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:schema", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


def _upload(draft: CompetitionDraft, cleaned: dict[str, Any]) -> None:
    if cleaned["mode"] == "one":
        ratios = (cleaned["train_share"], cleaned["holdout_share"], cleaned["confirmation_share"])
        service.draft_upload_single(
            draft=draft, upload=cleaned["single"], ratios=ratios, seed=cleaned["seed"]
        )
    else:
        service.draft_upload_splits(draft=draft, uploads={n: cleaned[n] for n in service.SPLITS})


@login_required
def schema(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(request, draft_id, Step.SCHEMA)
    if isinstance(draft, HttpResponse):
        return draft
    columns = _column_state(draft)
    form = SchemaForm(request.POST or None, columns=columns, target=draft.state.get("target", ""))
    context = _context(draft, Step.SCHEMA, form=form, problems=[], rows=draft.state.get("rows", {}))
    page = form_page(request, "wizard/schema.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            problems = service.draft_set_schema(
                draft=draft, columns=form.column_choices(), target=form.target_choice()
            )
        except DomainError as error:
            return page.refuse(error)
        if not problems:
            return redirect("wizard:model", draft_id=draft.pk)
        context["problems"] = problems
        return page.render(status=400)
    return page.render(status=400 if form.errors else 200)


def _column_state(draft: CompetitionDraft) -> list[dict[str, Any]]:
    """The organizer's last choices when there are any, else the inferred guesses."""
    guesses: list[dict[str, Any]] = list(draft.state.get("columns", []))
    chosen = {c["name"]: c for c in draft.state.get("choices", [])}
    return [{**g, **chosen.get(g["name"], {})} for g in guesses]


@login_required
def model(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(request, draft_id, Step.MODEL)
    if isinstance(draft, HttpResponse):
        return draft
    form = ModelForm(request.POST or None, request.FILES or None)
    context = _context(draft, Step.MODEL, form=form, algorithms=ALGORITHMS, current=draft.state.get("model"))
    page = form_page(request, "wizard/model.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            if cleaned["source"] == "upload":
                service.draft_upload_model(
                    draft=draft, upload=cleaned["model_file"], description=cleaned["description"]
                )
            else:
                service.draft_train_model(
                    draft=draft, algorithm=cleaned["algorithm"], description=cleaned["description"]
                )
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:rules", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
def rules(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(request, draft_id, Step.RULES)
    if isinstance(draft, HttpResponse):
        return draft
    task = service.draft_schema(draft).task.value
    form = RulesForm(request.POST or None, task=task, initial=_rules_initial(draft))
    page = form_page(request, "wizard/rules.html", _context(draft, Step.RULES, form=form), form=form)
    if request.method == "POST" and form.is_valid():
        try:
            service.draft_set_rules(draft=draft, rules=form.cleaned_data)
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:review", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


def _rules_initial(draft: CompetitionDraft) -> dict[str, Any]:
    stored: dict[str, Any] = dict(draft.state.get("rules") or {})
    if not stored:
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"opens_at": now, "closes_at": now + timedelta(days=60)}
    for key in ("opens_at", "closes_at"):
        stored[key] = timezone.localtime(datetime.fromisoformat(stored[key]))
    return stored


@login_required
def review(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(request, draft_id, Step.REVIEW)
    if isinstance(draft, HttpResponse):
        return draft
    schema_data = service.draft_schema(draft)
    context = _context(
        draft,
        Step.REVIEW,
        schema=schema_data,
        preflight=draft_preflight(draft),
        formula=FORMULA,
        error=None,
    )
    if request.method == "POST":
        try:
            competition = service.draft_finish(draft=draft, user=current_user(request))
        except DomainError as exc:  # e.g. the sandbox refused the base model: say so on this page
            context["error"] = exc
            return render(request, "wizard/review.html", context, status=exc.status)
        return redirect("competition", slug=competition.slug)
    return render(request, "wizard/review.html", context)
