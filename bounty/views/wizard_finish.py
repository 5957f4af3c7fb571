"""The wizard's last steps: the base model, the rules (with the pre-flight's advice), the review."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from bounty.errors import DomainError
from bounty.models import CompetitionDraft
from bounty.services import wizard as service
from bounty.services.rules_advice import draft_rule_advice
from bounty.views.base import current_user, form_page
from bounty.views.wizard import step_context, step_draft
from bounty.wizard.forms import ModelForm, ReviewForm, RulesForm
from bounty.wizard.training import ALGORITHMS

Step = CompetitionDraft.Step


@login_required
def model(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = step_draft(request, draft_id, Step.MODEL)
    if isinstance(draft, HttpResponse):
        return draft
    form = ModelForm(request.POST or None, request.FILES or None)
    context = step_context(
        draft, Step.MODEL, form=form, algorithms=ALGORITHMS, current=draft.state.get("model")
    )
    page = form_page(request, "wizard/model.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            if cleaned["source"] == "upload":
                service.draft_upload_model(
                    draft=draft, upload=cleaned["model_file"], description=cleaned["description"]
                )
                return redirect("wizard:progress", draft_id=draft.pk)
            service.draft_train_model(
                draft=draft, algorithm=cleaned["algorithm"], description=cleaned["description"]
            )
        except DomainError as error:
            return page.refuse(error)
        return redirect("wizard:progress", draft_id=draft.pk)
    return page.render(status=400 if form.errors else 200)


@login_required
def rules(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = step_draft(request, draft_id, Step.RULES)
    if isinstance(draft, HttpResponse):
        return draft
    schema = service.draft_schema(draft)
    initial = _rules_initial(draft)
    if "z" not in initial:  # first visit: start from the pre-flight's suggestion for this data
        suggested = draft_rule_advice(draft=draft, schema=schema, rules=initial)
        initial.update({key: suggested[key] for key in ("alpha", "mu_min", "z")})
    advice = draft_rule_advice(draft=draft, schema=schema, rules=initial)  # what the fields say
    form = RulesForm(request.POST or None, task=schema.task.value, initial=initial)
    context = step_context(
        draft,
        Step.RULES,
        form=form,
        advice=advice["report"],
        publication=advice["publication"],
        findings=advice["findings"],
    )
    page = form_page(request, "wizard/rules.html", context, form=form)
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
        return {
            "opens_at": now,
            "closes_at": now + timedelta(days=60),
            "expected_teams": 20,
            "total_quota": 100,
        }
    for key in ("opens_at", "closes_at"):
        stored[key] = timezone.localtime(datetime.fromisoformat(stored[key]))
    return stored


@login_required
def review(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = step_draft(request, draft_id, Step.REVIEW)
    if isinstance(draft, HttpResponse):
        return draft
    schema = service.draft_schema(draft)
    rules = dict(draft.state.get("rules") or {})
    advice = draft_rule_advice(draft=draft, schema=schema, rules=rules)
    job = draft.job or {}
    error = job.get("error") if job.get("name") == "create" and job.get("status") == "failed" else None
    form = ReviewForm(request.POST if request.method == "POST" else None)
    context = step_context(
        draft,
        Step.REVIEW,
        form=form,
        schema=schema,
        advice=advice["report"],
        publication=advice["publication"],
        findings=advice["findings"],
        error=error,
    )
    page = form_page(request, "wizard/review.html", context, form=form)
    if request.method == "POST" and form.is_valid():
        try:
            service.draft_finish(draft=draft, user=current_user(request), open_now=form.cleaned_data["open"])
        except DomainError as exc:
            return page.refuse(exc)
        return redirect("wizard:progress", draft_id=draft.pk)
    return page.render()
