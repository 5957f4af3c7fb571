"""The levels of a column a person can read: its categories, yes / no, or bins of a numeric column
cut at round numbers, and "missing"; each level with its name in plain words and its predicate in the
group language (``scoring.groups``). Used by the disaggregated reports and by slice discovery.

Cut points come from public data (``quantile_edges`` on the train split), so they reveal nothing
hidden; a numeric level is ``low <= x < high``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.schema import Column, Kind

MISSING = "missing"


@dataclass(frozen=True)
class Level:
    """One level of one column: its name (``"Female"``, ``"30 to under 45"``, ``"missing"``) and
    its predicate, a group-language tree."""

    column: str
    name: str
    tree: dict[str, Any]


def levels(series: pd.Series, column: Column, cuts: Sequence[float] = ()) -> tuple[np.ndarray, list[Level]]:
    """Each row's level code (int16, an index into the levels) and the levels of a column in
    canonical form; "missing" is always the last level. ``cuts`` bin a numeric column."""
    name = column.name
    if column.kind is Kind.CATEGORICAL:
        codes = np.asarray(pd.Categorical(series, categories=list(column.categories)).codes, dtype=np.int16)
        named = [Level(name, str(c), {"col": name, "op": "==", "value": c}) for c in column.categories]
        codes = np.where(codes < 0, len(named), codes).astype(np.int16)
        return codes, [*named, _missing(name)]
    values = np.asarray(series, dtype=np.float64)
    if column.kind is Kind.BOOLEAN:
        named = [
            Level(name, "yes", {"col": name, "op": "==", "value": True}),
            Level(name, "no", {"col": name, "op": "==", "value": False}),
        ]
        codes = np.where(values == 1.0, 0, np.where(values == 0.0, 1, 2)).astype(np.int16)
        return codes, [*named, _missing(name)]
    bounds = [-math.inf, *sorted({float(c) for c in cuts}), math.inf]
    pairs = itertools.pairwise(bounds)
    named = [Level(name, bin_name(low, high), _range(name, low, high)) for low, high in pairs]
    codes = np.searchsorted(np.asarray(bounds[1:-1]), values, side="right").astype(np.int16)
    codes[np.isnan(values)] = len(named)
    return codes, [*named, _missing(name)]


def quantile_edges(series: pd.Series, bins: int = 4) -> list[float]:
    """Cut points splitting a numeric column into about ``bins`` groups of rows: its quantiles, each
    rounded to a multiple of one round step (1, 2 or 5 times a power of ten, about the spread of
    the quantiles over ``bins``), so that a person reads 30, 45, 60 rather than 31.6, 46.2, 60.8.
    Compute them on public data, e.g. the train split, so they reveal nothing hidden."""
    values = pd.to_numeric(pd.Series(np.asarray(series, dtype=object)), errors="coerce").dropna()
    if values.empty or bins < 2:
        return []
    quantiles = np.quantile(values.to_numpy(dtype=np.float64), np.linspace(0, 1, bins + 1)[1:-1])
    step = round_step((quantiles[-1] - quantiles[0]) / bins)
    if step > 0:
        rounded = sorted({significant(round(q / step) * step, 12) for q in quantiles})
    else:
        rounded = sorted({significant(float(q)) for q in quantiles})
    return [c for c in rounded if values.min() < c <= values.max()]


def round_step(size: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten at most ``size`` (0 when ``size`` is not positive)."""
    if not size > 0 or not math.isfinite(size):
        return 0.0
    power = 10.0 ** math.floor(math.log10(size))
    return next(m * power for m in (5, 2, 1) if m * power <= size * (1 + 1e-12))


def significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def bin_name(low: float, high: float) -> str:
    """The bin ``low <= x < high`` in plain words."""
    if math.isinf(low) and math.isinf(high):
        return "all values"
    if math.isinf(low):
        return f"below {number(high)}"
    if math.isinf(high):
        return f"{number(low)} or more"
    return f"{number(low)} to under {number(high)}"


def number(value: float) -> str:
    """A number as a person writes it: no ``.0`` on whole numbers."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _range(name: str, low: float, high: float) -> dict[str, Any]:
    above = {"col": name, "op": ">=", "value": low}
    below = {"col": name, "op": "<", "value": high}
    if math.isinf(low) and math.isinf(high):
        return {"col": name, "op": "is not null"}
    if math.isinf(low):
        return below
    if math.isinf(high):
        return above
    return {"op": "and", "args": [above, below]}


def _missing(name: str) -> Level:
    return Level(name, MISSING, {"col": name, "op": "is null"})
