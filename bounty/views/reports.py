"""Public report pages: a competition's reports and its model card (server-rendered SVG + tables)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bounty.models import Competition
from bounty.selectors.competitions import competition_data_card, competition_get, user_is_organizer
from bounty.selectors.hidden import hidden_until_close
from bounty.selectors.last_mile import audit_list_public
from bounty.selectors.model_card import accepted_groups, known_limits
from bounty.selectors.published import competition_step, published_figures
from bounty.selectors.reports import (
    Usage,
    holdout_figures,
    loss_history,
    min_group_size,
    team_attribute_usage,
    team_finding_usage,
)
from bounty.selectors.rules import competition_rules
from bounty.views import report_charts as charts
from scoring.report import METRIC_TITLES, Report

logger = logging.getLogger(__name__)


def _report_context(report: Report | None, prefix: str) -> dict[str, Any]:
    if report is None:
        return {"report": None, "sections": [], "overall": []}
    return {
        "report": report,
        "sections": charts.attribute_sections(report, prefix=prefix),
        "overall": charts.overall_row(report),
        "overall_headers": [f"{m}: {METRIC_TITLES[k]}" for m in report.models for k in report.metrics],
    }


def _holdout_visible(competition: Competition, user: Any) -> bool:
    """Figures computed on the holdout teach an adaptive participant about it: organizers see them
    while the competition runs; everyone once it has closed (like a private leaderboard)."""
    closed = competition.status == Competition.Status.CLOSED
    return closed or user_is_organizer(competition=competition, user=user)


@require_GET
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    visible = _holdout_visible(competition, request.user)
    history = loss_history(competition=competition) if visible else []
    figures = holdout_figures(competition=competition) if visible else None
    teams, columns, counts = team_attribute_usage(competition=competition)
    findings, fixes = team_finding_usage(competition=competition)
    context = {
        "competition": competition,
        "history": history,
        "loss_chart": charts.loss_chart(history) if history else None,
        "coverage": figures.coverage if figures else [],
        "coverage_chart": charts.coverage_chart(figures.coverage) if figures and figures.coverage else None,
        "usage": {
            "teams": teams,
            "columns": columns,
            "rows": list(zip(teams, counts, strict=True)),
        },
        "usage_chart": charts.usage_heatmap(teams, columns, counts) if teams else None,
        "finding_usage_tables": [
            _usage_table(findings, "findings", "published findings"),
            _usage_table(fixes, "fixes", "pairs that fixed a finding"),
        ],
        "audits": audit_list_public(competition=competition),
        "min_size": min_group_size(),
        "holdout_hidden": not visible,
        "hidden": None if visible else hidden_until_close(competition=competition),
        "report_k": competition_step(competition).k,
        **_report_context(figures.report if figures else None, "holdout"),
    }
    return render(request, "reports/page.html", context)


@require_GET
def model_card(request: HttpRequest, slug: str) -> HttpResponse:
    competition = competition_get(slug=slug, user=request.user)
    organizer = user_is_organizer(competition=competition, user=request.user)
    visible = _holdout_visible(competition, request.user)
    figures = holdout_figures(competition=competition) if visible else None
    report = figures.report if figures else None
    groups = accepted_groups(competition=competition, organizer=organizer)
    published = published_figures(competition=competition)
    versions = list(competition.versions.order_by("number"))
    rules = competition_rules(competition=competition)
    head = next((v for v in versions if v.number == competition.head_version), None)
    context = {
        "competition": competition,
        "schema": rules.schema,
        "rules": rules,
        "card": competition_data_card(competition=competition),
        "groups": groups,
        "repairs": sum(v.kind == "repair" for v in versions),
        "base_version": versions[0] if versions else None,
        "head": head,
        "organizer": organizer,
        "limits": known_limits(competition=competition, report=report, groups=groups),
        "published": published,
        "history": loss_history(competition=competition) if visible else [],
        "report_k": published.step.k,
        "min_size": min_group_size(),
        "holdout_hidden": not visible,
        **_report_context(report, "card"),
    }
    return render(request, "reports/model_card.html", context)


def _usage_table(usage: Usage, chart_id: str, what: str) -> dict[str, Any] | None:
    """A team x attribute table and its heatmap (None when no team has one)."""
    teams, columns, counts = usage
    if not any(any(row) for row in counts):
        return None
    return {
        "columns": columns,
        "rows": list(zip(teams, counts, strict=True)),
        "chart": charts.usage_heatmap(teams, columns, counts, chart_id=chart_id, what=what),
        "what": what,
    }
