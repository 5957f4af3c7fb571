"""Last-mile audits: upload labelled data, get the report of a model version, publish it or not."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bounty.errors import DomainError
from bounty.models import Competition
from bounty.selectors.competitions import competition_get
from bounty.selectors.last_mile import (
    audit_get_visible,
    audit_list_mine,
    audit_list_public,
    audit_report,
)
from bounty.selectors.reports import min_group_size
from bounty.selectors.rules import competition_rules
from bounty.services.last_mile import audit_create, audit_delete, audit_set_public
from bounty.views import report_charts as charts
from bounty.views.base import current_user, form_page
from scoring.report import METRIC_TITLES


class AuditForm(forms.Form):
    title = forms.CharField(max_length=200)
    data_file = forms.FileField(
        label="Your labelled data (CSV)", help_text="The competition's columns and target."
    )
    version = forms.TypedChoiceField(coerce=int, choices=[], label="Model version")
    public = forms.BooleanField(required=False, label="Publish the report on the competition page")

    def __init__(self, *args: Any, competition: Competition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.TypedChoiceField)
        versions = competition.versions.filter(number__lte=competition.head_version).order_by("-number")
        field.choices = [(v.number, f"v{v.number} ({v.get_kind_display().lower()})") for v in versions]
        field.initial = competition.head_version


def audit_index(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    form = AuditForm(request.POST or None, request.FILES or None, competition=competition)
    context = {
        "competition": competition,
        "rules": competition_rules(competition=competition),
        "form": form,
        "public_audits": audit_list_public(competition=competition),
        "my_audits": audit_list_mine(competition=competition, user=request.user),
        "min_size": min_group_size(),
    }
    page = form_page(request, "reports/audits.html", context, form=form)
    if request.method == "POST":
        user = current_user(request)
        if form.is_valid():
            try:
                audit = audit_create(
                    competition=competition,
                    user=user,
                    upload=form.cleaned_data["data_file"],
                    version=form.cleaned_data["version"],
                    title=form.cleaned_data["title"],
                    public=form.cleaned_data["public"],
                )
            except DomainError as error:
                return page.refuse(error)
            return redirect("audit_detail", audit_id=audit.pk)
    return page.render(status=400 if form.errors else 200)


@require_GET
def audit_detail(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_get_visible(audit_id=audit_id, user=request.user)
    report = audit_report(audit)
    context: dict[str, Any] = {
        "audit": audit,
        "competition": audit.competition,
        "is_author": request.user.is_authenticated and audit.author_id == request.user.pk,
        "report": report,
        "sections": charts.attribute_sections(report, prefix=f"audit-{audit.pk}") if report else [],
        "overall": charts.overall_row(report) if report else [],
        "overall_headers": (
            [f"{m}: {METRIC_TITLES[k]}" for m in report.models for k in report.metrics] if report else []
        ),
    }
    return render(request, "reports/audit_detail.html", context)


@login_required
@require_POST
def audit_publish(request: HttpRequest, audit_id: int) -> HttpResponse:
    user = current_user(request)
    audit = audit_get_visible(audit_id=audit_id, user=user)
    audit_set_public(audit=audit, user=user, public=request.POST.get("public") == "1")
    return redirect("audit_detail", audit_id=audit.pk)


@login_required
@require_POST
def audit_remove(request: HttpRequest, audit_id: int) -> HttpResponse:
    user = current_user(request)
    audit = audit_get_visible(audit_id=audit_id, user=user)
    slug = audit.competition.slug
    audit_delete(audit=audit, user=user)
    return redirect("audits", slug=slug)
