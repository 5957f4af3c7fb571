"""The public reports of a competition, from the engine's cached holdout state.

Figures are aggregates published like every holdout figure (``bounty.selectors.published``): each
rounded down to the step its own row count and the competition's ``publish_k`` give, so none pins an
error count closer than +/- k; the loss history is the published base loss less the published gains;
groups below ``BOUNTY_REPORT_MIN_GROUP_SIZE`` rows are
left out entirely (``scoring.report``), and numeric attributes are binned at cut points taken from the
public train split. A version's report is computed once and cached as JSON under
``<data dir>/reports/<competition>/`` (keyed by the head version's database id, so a rolled-back and
regrown list never reuses a stale file).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings

from bounty.engine_adapter import competition_schema, competition_settings, competition_store
from bounty.models import Competition, Finding, ModelVersion
from bounty.selectors.outcomes import counting_updates
from bounty.selectors.published import published_figures
from bounty.storage import data_dir
from scoring.errors import EngineError
from scoring.publish import publish, published_step
from scoring.report import (
    Coverage,
    Report,
    attribute_usage,
    disaggregate,
    node_coverage,
    quantile_edges,
)
from scoring.schema import Kind, Schema

logger = logging.getLogger(__name__)
DIGITS = 3


def min_group_size() -> int:
    return int(getattr(settings, "BOUNTY_REPORT_MIN_GROUP_SIZE", 30))


@dataclass(frozen=True)
class LossPoint:
    version: int
    kind: str
    holdout: float
    confirmation: float | None


@dataclass(frozen=True)
class HoldoutFigures:
    report: Report
    coverage: list[Coverage]


def loss_history(*, competition: Competition) -> list[LossPoint]:
    """Every version's loss, oldest first, as published: the published base loss less the published
    gains of the updates up to it (a repair moves nothing public), and the confirmation loss rounded
    down to the step of the confirmation split's size."""
    figures = published_figures(competition=competition)
    confirmation = _confirmation_step(competition, figures.step.k)
    versions = (
        competition.versions.filter(number__lte=competition.head_version)
        .select_related("submission")
        .order_by("number")
    )
    points, gained = [], 0.0
    for v in versions:
        if v.kind == ModelVersion.Kind.UPDATE and v.submission is not None:
            gained += figures.gain(v.submission.public_gain) or 0.0
        if figures.base_loss is None:
            continue
        shown = figures.step.value(max(0.0, figures.base_loss - gained)) or 0.0
        conf = (
            None
            if v.confirmation_loss is None or confirmation is None
            else publish(v.confirmation_loss, confirmation)
        )
        points.append(LossPoint(v.number, v.kind, shown, conf))
    return points


def _confirmation_step(competition: Competition, k: int) -> float | None:
    rows = (competition.data_card or {}).get("rows", {}) if isinstance(competition.data_card, dict) else {}
    n = rows.get("confirmation") if isinstance(rows, dict) else None
    return published_step(int(n), k) if isinstance(n, int) and n >= 1 else None


def holdout_figures(*, competition: Competition) -> HoldoutFigures | None:
    """The head version's report (base against current) and node coverage; None when the engine
    directory is not available."""
    head = competition.versions.filter(number=competition.head_version).first()
    path = _cache_path(competition, head)
    if path.exists():
        try:
            return _from_json(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            logger.warning("Ignoring an unreadable report cache %s", path)
    try:
        figures = _compute(competition)
    except (OSError, EngineError, ValueError) as exc:
        logger.info("No holdout report for %s: %s", competition.slug, exc)
        return None
    _write(
        path,
        {"report": figures.report.to_json(), "coverage": [asdict(c) for c in figures.coverage]},
    )
    return figures


def _compute(competition: Competition) -> HoldoutFigures:
    store = competition_store(competition)
    schema = competition_schema(competition)
    dl = store.decision_list(competition.head_version)
    report = disaggregate(
        frame=store.frame("holdout"),
        schema=schema,
        labels=dl.splits["holdout"].labels,
        predictions={
            "base model": dl.base_preds["holdout"],
            "current model": dl.predictions("holdout"),
        },
        min_size=min_group_size(),
        edges=_edges(store.frame("train"), schema),
        publish_k=store.settings.rules.publish_k,
    )
    rows = [(n.kind, dl.patches[i]["holdout"].rows, n.target) for i, n in enumerate(dl.nodes)]
    return HoldoutFigures(report, node_coverage(rows, dl.splits["holdout"].n_rows))


def numeric_edges(*, competition: Competition) -> dict[str, list[float]]:
    """Cut points of the numeric attributes, from the public train split."""
    schema = competition_schema(competition)
    return _edges(competition_store(competition).frame("train"), schema)


def _edges(train: pd.DataFrame, schema: Schema) -> dict[str, list[float]]:
    numeric = [a for a in schema.attributes if schema.column(a).kind is Kind.NUMERIC]
    return {a: quantile_edges(train[a]) for a in numeric}


Usage = tuple[list[str], list[str], list[list[int]]]


def team_attribute_usage(*, competition: Competition) -> Usage:
    """(teams, columns, counts) of the attributes each team's groups in the current model use; every
    team that is not disqualified has a row, a team with nothing accepted a row of zeros."""
    accepted = counting_updates(competition).select_related("team")
    return _usage(competition, ((s.team.name, s.group_tree) for s in accepted))


def team_finding_usage(*, competition: Competition) -> tuple[Usage, Usage]:
    """The same for the published findings of teams still in, and for the pairs that fixed them."""
    found = Finding.objects.filter(
        competition=competition, submission__team__disqualification__isnull=True
    ).select_related("submission__team", "fixed_by__team")
    findings = [(f.submission.team.name, f.submission.group_tree) for f in found]
    fixes = {f.fixed_by_id: (f.fixed_by.team.name, f.fixed_by.group_tree) for f in found if f.fixed_by}
    return _usage(competition, findings), _usage(competition, fixes.values())


def _usage(competition: Competition, trees: Iterable[tuple[str, dict[str, Any] | None]]) -> Usage:
    attributes = list(competition_schema(competition).attributes)
    teams, columns, counts = attribute_usage(trees, attributes)
    by_team = dict(zip(teams, counts, strict=True))
    every = competition.teams.filter(disqualification__isnull=True).values_list("name", flat=True)
    names = sorted(set(teams) | set(every))
    return names, columns, [by_team.get(name, [0] * len(columns)) for name in names]


def _cache_path(competition: Competition, head: ModelVersion | None) -> Path:
    k = competition_settings(competition).rules.publish_k
    key = f"v{competition.head_version}-{head.pk if head else 0}-m{min_group_size()}-k{k}"
    return data_dir() / "reports" / str(int(competition.pk)) / f"holdout-{key}.json"


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def _from_json(data: dict[str, Any]) -> HoldoutFigures:
    return HoldoutFigures(Report.from_json(data["report"]), [Coverage(**c) for c in data["coverage"]])
