"""A landscape: how a model's loss varies over a frame's rows, by each level of each column, by each
pair of levels of two columns, and the top slices under the stated score (``slices``); each slice in
the group language and in plain words, with its rows, mean loss, gap to the rest and a 95%
confidence interval for its mean loss (Wilson's when every loss is 0 or 1, else the normal one)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring import groups
from scoring.bins import quantile_edges
from scoring.explore import counts
from scoring.explore.counts import Coded, Table
from scoring.explore.slices import Scoring, Slice, top
from scoring.schema import Kind, Schema

DIGITS = 4
Z95 = 1.959963984540054
DEFAULT_TOP = 10
DEFAULT_BINS = 5


@dataclass(frozen=True)
class Found:
    """One slice as people read it."""

    levels: list[tuple[str, str]]  # (column, level name) of each of its one or two levels
    text: str  # the group language
    words: str  # plain words
    tree: dict[str, Any]
    rows: int
    loss: float  # mean loss of the slice
    gap: float  # its mean loss minus the rest's
    low: float  # 95% confidence interval of its mean loss
    high: float
    score: float


def explore(
    frame: pd.DataFrame,
    schema: Schema,
    loss: np.ndarray,
    *,
    scoring: Scoring = Scoring(),  # noqa: B008 - frozen
    top_k: int = DEFAULT_TOP,
    columns: Sequence[str] | None = None,
    cuts: dict[str, list[float]] | None = None,
) -> dict[str, Any]:
    """The landscape of the per-row ``loss`` over ``frame`` (canonical form), as plain JSON data.
    ``columns``: the feature columns to search (default all); ``cuts``: numeric columns' cut points
    (default: rounded quantiles of ``frame`` itself, which must then be public rows)."""
    names = tuple(columns if columns is not None else schema.feature_names)
    loss = np.asarray(loss, dtype=np.float64)
    if len(loss) != len(frame):
        raise ValueError("loss and frame differ in length")
    chosen_cuts = dict(cuts) if cuts is not None else default_cuts(frame, schema, names)
    coded = counts.code(frame, schema, names, chosen_cuts)
    singles, pairs = counts.singles(coded, loss), counts.pairs(coded, loss)
    n, total = len(loss), float(loss.sum())
    best = top(singles, pairs, scoring, n=n, total=total, k=top_k)
    binary = bool(np.isin(loss, (0.0, 1.0)).all())
    return {
        "rows": n,
        "loss": _round(total / n) if n else None,
        "scoring": {"name": "sliceline", "alpha": scoring.alpha, "min_rows": scoring.min_rows},
        "cuts": {name: chosen_cuts[name] for name in names if name in chosen_cuts},
        "columns": [_column(coded, table) for table in singles],
        "pairs": [_pair(table) for table in pairs],
        "slices": [asdict(_found(coded, loss, item, total, binary)) for item in best],
    }


def default_cuts(frame: pd.DataFrame, schema: Schema, names: Sequence[str]) -> dict[str, list[float]]:
    """Rounded quantile cut points of each numeric column among ``names``."""
    numeric = [name for name in names if schema.column(name).kind is Kind.NUMERIC]
    return {name: quantile_edges(frame[name], bins=DEFAULT_BINS) for name in numeric}


def _column(coded: Coded, table: Table) -> dict[str, Any]:
    index = table.columns[0]
    found = coded.levels[index]
    return {
        "name": coded.columns[index],
        "levels": [
            {"name": level.name, "text": groups.to_text(level.tree), "rows": int(r), "loss": _mean(s, r)}
            for level, r, s in zip(found, table.rows, table.loss, strict=True)
        ],
    }


def _pair(table: Table) -> dict[str, Any]:
    return {
        "columns": list(table.columns),
        "rows": table.rows.tolist(),
        "loss": [
            [_mean(s, r) for s, r in zip(sums, rows, strict=True)]
            for sums, rows in zip(table.loss, table.rows, strict=True)
        ],
    }


def _found(coded: Coded, loss: np.ndarray, item: Slice, total: float, binary: bool) -> Found:
    parts: list[dict[str, Any]] = []
    mask = np.ones(len(loss), dtype=bool)
    for column, level in item.levels:
        tree = coded.levels[column][level].tree
        parts += tree["args"] if tree.get("op") == "and" else [tree]
        mask &= coded.codes[column] == level
    tree = parts[0] if len(parts) == 1 else {"op": "and", "args": parts}
    mean = item.loss / item.rows
    rest = len(loss) - item.rows
    gap = mean - (total - item.loss) / rest if rest else 0.0
    low, high = _wilson(mean, item.rows) if binary else _normal(loss[mask])
    return Found(
        levels=[(coded.columns[column], coded.levels[column][level].name) for column, level in item.levels],
        text=groups.to_text(tree),
        words=groups.describe(tree),
        tree=tree,
        rows=item.rows,
        loss=_round(mean),
        gap=_round(gap),
        low=_round(low),
        high=_round(high),
        score=_round(item.score),
    )


def _wilson(p: float, n: int) -> tuple[float, float]:
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _normal(values: np.ndarray) -> tuple[float, float]:
    mean = float(values.mean())
    half = Z95 * float(values.std(ddof=1)) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return max(0.0, mean - half), min(1.0, mean + half)


def _mean(total: float, rows: int) -> float | None:
    return _round(float(total) / int(rows)) if rows else None


def _round(value: float) -> float:
    return round(float(value), DIGITS)
