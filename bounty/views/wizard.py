"""The create-competition wizard (``/wizard/...``): server-rendered steps, state kept server-side.

Long steps (reading the files, typing and splitting them, training, creating) run in the background;
while one runs every step page sends the organizer to its progress page, which refreshes itself and
moves on when the job ends. The organizer can leave and come back.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bounty.errors import DomainError
from bounty.models import CompetitionDraft
from bounty.selectors.definitions import definition_export
from bounty.selectors.organizers import draft_get, draft_list, require_organizer
from bounty.services import wizard as service
from bounty.services.draft_jobs import ACTIVE
from bounty.views.base import current_user, form_page
from bounty.wizard.forms import DataForm, SchemaForm, StartForm, ValuesForm

Step = CompetitionDraft.Step
ORDER = [Step.DATA, Step.PROBLEMS, Step.SCHEMA, Step.MODEL, Step.RULES, Step.REVIEW]
URLS = {
    Step.DATA: "wizard:data",
    Step.PROBLEMS: "wizard:values",
    Step.SCHEMA: "wizard:schema",
    Step.MODEL: "wizard:model",
    Step.RULES: "wizard:rules",
    Step.REVIEW: "wizard:review",
}


def running(draft: CompetitionDraft) -> bool:
    return (draft.job or {}).get("status") in ACTIVE


def step_draft(request: HttpRequest, draft_id: int, step: str) -> CompetitionDraft | HttpResponse:
    """The draft, or a redirect: to its progress page while a job runs, to its current step when
    ``step`` is not reached yet, to the list when it is finished."""
    user = require_organizer(current_user(request))
    draft = draft_get(user=user, draft_id=draft_id)
    if running(draft):
        return redirect("wizard:progress", draft_id=draft.pk)
    if draft.step == Step.DONE:
        return redirect("wizard:index")
    if ORDER.index(Step(step)) > ORDER.index(Step(draft.step)):
        return redirect(URLS[Step(draft.step)], draft_id=draft.pk)
    return draft


def step_context(draft: CompetitionDraft, step: str, **extra: Any) -> dict[str, Any]:
    reached = ORDER.index(Step(draft.step))
    steps = [(s.label, URLS[s], i <= reached, s == step) for i, s in enumerate(ORDER)]
    return {"draft": draft, "steps": steps, "job": draft.job or {}, **extra}


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
    draft = step_draft(request, draft_id, Step.DATA)
    if isinstance(draft, HttpResponse):
        return draft
    form = DataForm(request.POST or None, request.FILES or None)
    page = form_page(request, "wizard/data.html", step_context(draft, Step.DATA, form=form), form=form)
    if request.method == "POST" and form.is_valid():
        try:
            service.draft_upload(
                draft=draft,
                uploads=form.uploads(),
                plan=form.plan(),
                delimiter=form.cleaned_data["delimiter"],
            )
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:progress", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
def values(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = step_draft(request, draft_id, Step.PROBLEMS)
    if isinstance(draft, HttpResponse):
        return draft
    problems = list(draft.state.get("problems") or [])
    form = ValuesForm(request.POST or None, problems=problems, chosen=draft.state.get("choices") or {})
    context = step_context(draft, Step.PROBLEMS, form=form, problems=form.rows())
    page = form_page(request, "wizard/values.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            service.draft_set_choices(draft=draft, choices=form.choices(), ignored=set())
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:schema", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
def schema(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = step_draft(request, draft_id, Step.SCHEMA)
    if isinstance(draft, HttpResponse):
        return draft
    columns = _column_state(draft)
    form = SchemaForm(request.POST or None, columns=columns, target=draft.state.get("target", ""))
    problems = draft.state.get("schema_problems") or []
    context = step_context(draft, Step.SCHEMA, form=form, problems=problems, rows=draft.state.get("rows", {}))
    page = form_page(request, "wizard/schema.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            service.draft_set_schema(draft=draft, columns=form.column_choices(), target=form.target_choice())
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:progress", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


def _column_state(draft: CompetitionDraft) -> list[dict[str, Any]]:
    """The organizer's last choices when there are any, else the inferred guesses."""
    guesses: list[dict[str, Any]] = list(draft.state.get("columns", []))
    chosen = {c["name"]: c for c in draft.state.get("column_choices", [])}
    return [
        {**g, **{k: v for k, v in chosen.get(g["name"], {}).items() if k != "categories" or v}}
        for g in guesses
    ]


@login_required
def progress(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The running job's progress (refreshing itself), or on to the step it led to."""
    user = require_organizer(current_user(request))
    draft = draft_get(user=user, draft_id=draft_id)
    job = draft.job or {}
    if not running(draft) and job.get("status") != "failed":
        if draft.step == Step.DONE and draft.competition_id:
            return redirect("competition", slug=draft.competition.slug if draft.competition else "")
        return redirect(URLS[Step(draft.step)], draft_id=draft.pk)
    back = URLS[Step(draft.step)] if draft.step != Step.DONE else "wizard:index"
    context = step_context(
        draft,
        str(draft.step) if draft.step != Step.DONE else Step.REVIEW,
        back=back,
        percent=round(100 * float(job.get("progress") or 0)),
    )
    return render(request, "wizard/progress.html", context)


@login_required
def definition(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The competition definition (YAML) the wizard's choices amount to, for the API and the CLI."""
    user = require_organizer(current_user(request))
    draft = draft_get(user=user, draft_id=draft_id)
    response = HttpResponse(definition_export(draft), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{draft.slug}.yaml"'
    return response
