"""Guessing a schema from uploaded tables read as text: column kinds, categories, target and task.

Every guess is only a starting point the organizer edits. Tables are read with every value as text
(``files.read_table``), so categories and class names are exactly the strings in the files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.schema import MAX_CATEGORIES, Kind, Task

BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "t", "f", "y", "n"})
BOOLEAN_DIGITS = frozenset({"0", "1", "0.0", "1.0"})
MAX_MULTICLASS = 20  # a numeric target with more distinct whole values is taken as regression
ID_LIKE_SHARE = 0.9  # a text column this unique is probably an identifier (ignored by default)
ATTRIBUTE_HINTS = (
    "sex", "gender", "race", "ethnic", "age", "religion", "disab", "nationality", "country",
    "marital", "language", "accent", "region", "income_band",
)  # fmt: skip


@dataclass
class ColumnGuess:
    """What the wizard proposes for one column (JSON-friendly, kept in the draft)."""

    name: str
    kind: str  # a scoring.schema.Kind value
    categories: list[str] = field(default_factory=list)
    nullable: bool = True
    role: str = "feature"  # feature | ignore
    attribute: bool = False
    distinct: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TargetGuess:
    task: Task
    classes: tuple[str, ...] = ()
    target_range: tuple[float, float] | None = None


def combined(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The uploaded splits stacked (their columns must already agree)."""
    return pd.concat(list(frames), ignore_index=True)


def guess_columns(frame: pd.DataFrame) -> list[ColumnGuess]:
    """A guess for every column of ``frame`` (all values text, NaN for missing)."""
    return [guess_column(str(name), frame[name]) for name in frame.columns]


def guess_column(name: str, series: pd.Series) -> ColumnGuess:
    present = series.dropna().astype(str).str.strip()
    present = present[present != ""]
    distinct = sorted(set(present))
    nullable = bool(len(present) < len(series))
    lowered = {v.lower() for v in distinct}
    hint = any(h in name.lower() for h in ATTRIBUTE_HINTS)
    if distinct and (lowered <= BOOLEAN_WORDS or lowered <= BOOLEAN_DIGITS) and len(lowered) <= 2:
        return ColumnGuess(name, Kind.BOOLEAN.value, [], nullable, attribute=hint, distinct=len(distinct))
    if distinct and is_numeric(present):
        return ColumnGuess(name, Kind.NUMERIC.value, [], nullable, attribute=hint, distinct=len(distinct))
    id_like = len(distinct) > MAX_CATEGORIES or (
        len(present) >= 20 and len(distinct) >= ID_LIKE_SHARE * len(present)
    )
    role = "ignore" if id_like or not distinct else "feature"
    categories = [] if len(distinct) > MAX_CATEGORIES else distinct
    return ColumnGuess(
        name,
        Kind.CATEGORICAL.value,
        categories,
        nullable,
        role,
        hint and not id_like,
        len(distinct),
    )


def is_numeric(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce")
    return bool(numbers.notna().all()) and bool(np.isfinite(numbers.to_numpy(dtype=float)).all())


def guess_target_name(columns: Sequence[str]) -> str:
    """The last column, unless a column is plainly called a target or label."""
    for name in columns:
        if name.lower() in ("target", "label", "y", "outcome", "class"):
            return name
    return columns[-1]


def guess_target(series: pd.Series) -> TargetGuess:
    """The task and its classes (sorted, numerically when they are numbers) or value range."""
    present = series.dropna().astype(str).str.strip()
    present = present[present != ""]
    distinct = sorted(set(present))
    if not is_numeric(present) or not distinct:
        task = Task.BINARY if len(distinct) <= 2 else Task.MULTICLASS
        return TargetGuess(task, tuple(distinct))
    numbers = pd.to_numeric(present)
    whole = bool((numbers == numbers.round()).all())
    if len(distinct) <= 2 or (whole and len(distinct) <= MAX_MULTICLASS):
        ordered = tuple(sorted(distinct, key=lambda v: (float(v), v)))
        return TargetGuess(Task.BINARY if len(distinct) <= 2 else Task.MULTICLASS, ordered)
    low, high = float(numbers.min()), float(numbers.max())
    return TargetGuess(Task.REGRESSION, (), (low, high if high > low else low + 1.0))
