"""Disaggregated reports: how models do on every group of every attribute (pure numpy / pandas).

A report compares named models (e.g. ``base`` and ``current``) on labelled rows, overall and for each
group of each report attribute: categories of a categorical column, yes / no of a boolean column,
bins of a numeric column (cut points taken from public data, see ``quantile_edges``), and "missing".

Holdout integrity: every figure is an aggregate; with ``publish_k`` each metric is rounded down to the
step ``scoring.publish.published_step`` gives for the rows it counts (its denominator), so none pins
an error count closer than +/- k (without it, to ``DIGITS`` decimals); a group with fewer than
``min_size`` rows is left out entirely (it is not even counted), and a rate whose denominator (e.g. the
negatives of a group, for the false positive rate) has fewer than ``min_size`` rows is ``None``.

Metrics: ``error`` (0-1 error), ``fpr`` and ``fnr`` (false positive / negative rates; the second class
is the positive one in a binary task, one-vs-rest macro averages in a multiclass task) for
classification; ``mse`` (mean squared error in the target's units) for regression.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.bins import levels, quantile_edges
from scoring.groups import columns_used
from scoring.publish import publish, published_step
from scoring.schema import Column, Schema, Task

DIGITS = 3
CLASSIFICATION_METRICS = ("error", "fpr", "fnr")
REGRESSION_METRICS = ("mse",)
METRIC_TITLES = {
    "error": "error rate",
    "fpr": "false positive rate",
    "fnr": "false negative rate",
    "mse": "mean squared error",
}

Figures = dict[str, float | None]


@dataclass(frozen=True)
class GroupRow:
    """One group of one attribute: its share of the rows and each model's metrics on it."""

    attribute: str
    group: str
    share: float
    metrics: dict[str, Figures]  # model name -> metric name -> value


@dataclass(frozen=True)
class Report:
    task: str
    models: tuple[str, ...]
    metrics: tuple[str, ...]
    min_size: int
    rows: int
    overall: dict[str, Figures]
    groups: tuple[GroupRow, ...]

    def attributes(self) -> list[str]:
        return list(dict.fromkeys(g.attribute for g in self.groups))

    def groups_of(self, attribute: str) -> list[GroupRow]:
        return [g for g in self.groups if g.attribute == attribute]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        return cls(
            task=str(data["task"]),
            models=tuple(data["models"]),
            metrics=tuple(data["metrics"]),
            min_size=int(data["min_size"]),
            rows=int(data["rows"]),
            overall={str(k): dict(v) for k, v in data["overall"].items()},
            groups=tuple(GroupRow(**g) for g in data["groups"]),
        )


def disaggregate(
    *,
    frame: pd.DataFrame,
    schema: Schema,
    labels: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    min_size: int,
    edges: Mapping[str, Sequence[float]] | None = None,
    publish_k: int | None = None,
) -> Report:
    """The report of every model in ``predictions`` (canonical model outputs) on ``frame``'s rows.

    ``labels`` are class codes (classification) or values (regression), as ``Schema.encode_target``
    gives them; ``frame`` holds the attribute columns in canonical form (``Schema.coerce``).
    """
    if min_size < 1:
        raise ValueError("min_size must be at least 1")
    n = len(labels)
    points = {name: as_points(pred, schema.task) for name, pred in predictions.items()}
    if any(len(p) != n for p in points.values()) or len(frame) != n:
        raise ValueError("labels, predictions and frame differ in length")
    groups: list[GroupRow] = []
    for attribute in schema.attributes:
        column = schema.column(attribute)
        cuts = list((edges or {}).get(attribute) or quantile_edges(frame[attribute]))
        for name, mask in attribute_groups(frame[attribute], column, cuts):
            size = int(mask.sum())
            if size < min_size:
                continue  # suppressed: never reported, not even as a count
            figures = {
                m: _metrics(schema, labels[mask], p[mask], min_size, publish_k) for m, p in points.items()
            }
            groups.append(GroupRow(attribute, name, _round(size / n), figures))
    overall = {m: _metrics(schema, labels, p, min_size, publish_k) for m, p in points.items()}
    return Report(
        task=schema.task.value,
        models=tuple(predictions),
        metrics=metric_names(schema.task),
        min_size=int(min_size),
        rows=int(n),
        overall=overall,
        groups=tuple(groups),
    )


def metric_names(task: Task) -> tuple[str, ...]:
    return CLASSIFICATION_METRICS if task.is_classification else REGRESSION_METRICS


def as_points(pred: np.ndarray, task: Task) -> np.ndarray:
    """Point predictions: class codes (argmax of probabilities) or values."""
    pred = np.asarray(pred)
    if not task.is_classification:
        return pred.astype(np.float64)
    if pred.ndim == 2:
        return np.argmax(pred, axis=1).astype(np.int64)
    return pred.astype(np.int64)


# -- groups -------------------------------------------------------------------------------------
def attribute_groups(
    series: pd.Series, column: Column, cuts: Sequence[float]
) -> list[tuple[str, np.ndarray]]:
    """(name, row mask) for each group of one attribute column in canonical form."""
    codes, found = levels(series, column, cuts)
    return [(level.name, codes == index) for index, level in enumerate(found)]


# -- metrics ------------------------------------------------------------------------------------
def _metrics(schema: Schema, y: np.ndarray, pred: np.ndarray, min_size: int, k: int | None = None) -> Figures:
    if len(y) < min_size:
        return dict.fromkeys(metric_names(schema.task))
    if not schema.task.is_classification:
        lo, hi = schema.target_range or (0.0, 1.0)
        unit = (hi - lo) ** 2 if hi > lo else 1.0  # one unit of the squared-error loss, in target units
        return {"mse": _round(float(np.mean((pred - y) ** 2)), len(y), k, unit)}
    error = _round(float(np.mean(pred != y)), len(y), k)
    if schema.task is Task.BINARY:
        return {
            "error": error,
            "fpr": _rate(pred[y == 0] == 1, min_size, k),
            "fnr": _rate(pred[y == 1] != 1, min_size, k),
        }
    fprs = [_counted_rate(pred[y != c] == c, min_size) for c in range(len(schema.classes))]
    fnrs = [_counted_rate(pred[y == c] != c, min_size) for c in range(len(schema.classes))]
    return {"error": error, "fpr": _mean_of(fprs, k), "fnr": _mean_of(fnrs, k)}


def _counted_rate(hits: np.ndarray, min_size: int) -> tuple[float, int] | None:
    return (float(hits.mean()), int(hits.size)) if hits.size >= min_size else None


def _rate(hits: np.ndarray, min_size: int, k: int | None) -> float | None:
    rate = _counted_rate(hits, min_size)
    return None if rate is None else _round(rate[0], rate[1], k)


def _mean_of(rates: Iterable[tuple[float, int] | None], k: int | None) -> float | None:
    """The mean of class rates: one count of class c moves it by 1 / (C x rows of c), so it is
    published at the step of C x the fewest rows."""
    known = [r for r in rates if r is not None]
    if not known:
        return None
    rows = len(known) * min(size for _, size in known)
    return _round(sum(rate for rate, _ in known) / len(known), rows, k)


def _round(value: float, rows: int = 0, k: int | None = None, unit: float = 1.0) -> float:
    if k is None or rows < 1:
        return round(float(value), DIGITS)
    return publish(float(value), published_step(rows, k, unit))


# -- list structure -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """A version's node: the share of a split's rows in its group (``share``) and the share of rows
    that some node of that version's model has taken over from the base model (``reach``)."""

    version: int
    kind: str
    share: float
    reach: float


def node_coverage(nodes: Sequence[tuple[str, np.ndarray, int | None]], n_rows: int) -> list[Coverage]:
    """Coverage of each node, given ``(kind, row indices, target version)`` per node in version
    order. A ``rollback`` node (every row, back to its target) restores its target's reach."""
    targets = {target for kind, _, target in nodes if kind == "rollback" and target is not None}
    touched = np.zeros(n_rows, dtype=bool)
    saved = {0: touched.copy()} if 0 in targets else {}
    out = []
    for number, (kind, rows, target) in enumerate(nodes, start=1):
        if kind == "rollback" and target is not None:
            touched = saved[target].copy()
        else:
            touched[rows] = True
        if number in targets:
            saved[number] = touched.copy()
        share = rows.size / n_rows if n_rows else 0.0
        reach = float(touched.mean()) if n_rows else 0.0
        out.append(Coverage(number, kind, _round(share), _round(reach)))
    return out


def attribute_usage(
    trees: Iterable[tuple[str, dict[str, Any] | None]], attributes: Sequence[str]
) -> tuple[list[str], list[str], list[list[int]]]:
    """(teams, columns, counts): how many accepted groups of each team read each attribute.

    ``trees`` gives (team, group tree or None for a group model file) per accepted group. Besides
    the attributes, a column ``other features`` counts groups reading any other column and a column
    ``group model`` counts groups given as a classifier (their columns are unknown).
    """
    columns = [*attributes, "other features", "group model"]
    counts: dict[str, list[int]] = {}
    for team, tree in trees:
        row = counts.setdefault(team, [0] * len(columns))
        if tree is None:
            row[-1] += 1
            continue
        used = columns_used(tree)
        for i, attribute in enumerate(attributes):
            row[i] += attribute in used
        row[-2] += bool(used - set(attributes))
    teams = sorted(counts)
    keep = [i for i in range(len(columns)) if i < len(attributes) or any(counts[t][i] for t in teams)]
    return teams, [columns[i] for i in keep], [[counts[t][i] for i in keep] for t in teams]
