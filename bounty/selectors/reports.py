"""The public reports of a competition, from the engine's cached holdout state.

Figures are aggregates rounded to 3 decimals, groups below ``BOUNTY_REPORT_MIN_GROUP_SIZE`` rows are
left out entirely (``scoring.report``), and numeric attributes are binned at cut points taken from the
public train split. A version's report is computed once and cached as JSON under
``<data dir>/reports/<competition>/`` (keyed by the head version's database id, so a rolled-back and
regrown list never reuses a stale file).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings

from bounty.engine_adapter import competition_schema, competition_store
from bounty.models import Competition, ModelVersion
from bounty.selectors.outcomes import counting_updates
from bounty.storage import data_dir
from scoring.errors import EngineError
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
    """Holdout and confirmation loss of every version, oldest first, rounded."""
    versions = competition.versions.filter(number__lte=competition.head_version).order_by("number")
    return [
        LossPoint(
            v.number,
            v.kind,
            round(v.holdout_loss, DIGITS),
            None if v.confirmation_loss is None else round(v.confirmation_loss, DIGITS),
        )
        for v in versions
    ]


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


def team_attribute_usage(*, competition: Competition) -> tuple[list[str], list[str], list[list[int]]]:
    """(teams, columns, counts) of the attributes each team's groups in the current model use."""
    accepted = counting_updates(competition).select_related("team")
    attributes = list(competition_schema(competition).attributes)
    return attribute_usage(((s.team.name, s.group_tree) for s in accepted), attributes)


def _cache_path(competition: Competition, head: ModelVersion | None) -> Path:
    key = f"v{competition.head_version}-{head.pk if head else 0}-m{min_group_size()}"
    return data_dir() / "reports" / str(int(competition.pk)) / f"holdout-{key}.json"


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def _from_json(data: dict[str, Any]) -> HoldoutFigures:
    return HoldoutFigures(Report.from_json(data["report"]), [Coverage(**c) for c in data["coverage"]])
