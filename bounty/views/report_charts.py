"""Charts and tables of the report pages, from the figures the report selectors return.

Every chart comes with the same figures as a table (its text alternative); the SVG strings come from
``bounty.charts``, which escapes every text it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from bounty.charts import BarSeries, Series, bar_chart, heatmap, line_chart
from bounty.selectors.reports import LossPoint
from scoring.report import METRIC_TITLES, Coverage, Report


@dataclass
class AttributeSection:
    attribute: str
    chart: SafeString
    headers: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def loss_chart(points: list[LossPoint], *, chart_id: str = "loss-history") -> SafeString:
    holdout = [(p.version, p.holdout) for p in points]
    confirmation = [(p.version, p.confirmation) for p in points if p.confirmation is not None]
    series = [Series("holdout loss", holdout)]
    if confirmation:
        series.append(Series("confirmation loss", confirmation))
    if points:
        last = points[-1].version
        series.append(
            Series("base model (holdout)", [(0, points[0].holdout), (last, points[0].holdout)], True)
        )
    desc = (
        "The global model's loss on the holdout and confirmation splits after each version, "
        "with the base model's holdout loss as a dashed line. The table below lists the same figures."
    )
    svg = line_chart(
        series,
        chart_id=chart_id,
        title="Loss across versions",
        desc=desc,
        x_label="version",
        y_label="loss",
    )
    return mark_safe(svg)  # noqa: S308 - bounty.charts escapes every text


def attribute_sections(report: Report, *, prefix: str) -> list[AttributeSection]:
    """One chart (the first metric, every model) and one table (every metric) per attribute."""
    metric = report.metrics[0]
    title = METRIC_TITLES[metric]
    headers = [f"{model}: {METRIC_TITLES[m]}" for model in report.models for m in report.metrics]
    sections = []
    for attribute in report.attributes():
        groups = report.groups_of(attribute)
        series = [BarSeries(model, [g.metrics[model][metric] for g in groups]) for model in report.models]
        desc = (
            f"The {title} of {' and '.join(report.models)} for each group of {attribute} with at least "
            f"{report.min_size} rows; smaller groups are not shown. The table below lists every metric."
        )
        svg = bar_chart(
            [g.group for g in groups],
            series,
            chart_id=f"{prefix}-{attribute}",
            title=f"{title.capitalize()} by {attribute}",
            desc=desc,
            value_label=title,
        )
        rows = [
            {
                "group": g.group,
                "share": g.share,
                "cells": [g.metrics[model][m] for model in report.models for m in report.metrics],
            }
            for g in groups
        ]
        sections.append(AttributeSection(attribute, mark_safe(svg), headers, rows))  # noqa: S308
    return sections


def overall_row(report: Report) -> list[float | None]:
    return [report.overall[model][m] for model in report.models for m in report.metrics]


def coverage_chart(coverage: list[Coverage], *, chart_id: str = "coverage") -> SafeString:
    labels = [f"v{c.version} ({c.kind})" for c in coverage]
    series = [
        BarSeries("share in the node's group", [c.share for c in coverage]),
        BarSeries("share taken over from the base", [c.reach for c in coverage]),
    ]
    desc = (
        "For each version, the share of holdout rows in its node's group, and the share of rows some "
        "node of that version's model predicts instead of the base model. The table lists the figures."
    )
    svg = bar_chart(
        labels,
        series,
        chart_id=chart_id,
        title="Holdout coverage of each version",
        desc=desc,
        value_label="share of holdout rows",
        max_value=1.0,
    )
    return mark_safe(svg)  # noqa: S308


def usage_heatmap(
    teams: list[str],
    columns: list[str],
    counts: list[list[int]],
    *,
    chart_id: str = "usage",
    what: str = "accepted groups",
) -> SafeString:
    desc = (
        f"How many of each team's {what} use each attribute (rows: teams; columns: "
        "attributes). The table below lists the same counts."
    )
    svg = heatmap(
        teams,
        columns,
        counts,
        chart_id=chart_id,
        title=f"Attributes used by {what}",
        desc=desc,
    )
    return mark_safe(svg)  # noqa: S308
