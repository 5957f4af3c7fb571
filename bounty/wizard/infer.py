"""Guessing a schema from what the reader counted: column kinds, categories, target and task.

Every guess is only a starting point the organizer edits. Guesses come from the reader's statistics
(``reading.ColumnStats``) after the organizer's choices on the problems found, so categories and class
names are exactly the strings in the files (spaces and "NA" included, unless a choice says otherwise).
A Parquet column keeps its type: numbers are numeric, strings are categorical even when they hold
digits (codes such as ``"01"``). A CSV column of digits with leading zeros is a code too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bounty.wizard.stats import NA_WORDS, ColumnStats, FileStats
from scoring.schema import MAX_CATEGORIES, Kind, Task

BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "t", "f", "y", "n"})
BOOLEAN_DIGITS = frozenset({"0", "1", "0.0", "1.0"})
MAX_MULTICLASS = 20  # a numeric target with more distinct whole values is taken as regression
ID_LIKE_SHARE = 0.9  # a text column this unique is probably an identifier (ignored by default)
ATTRIBUTE_WORDS = frozenset(
    {
        "sex",
        "gender",
        "race",
        "ethnicity",
        "ethnic",
        "age",
        "religion",
        "religious",
        "disability",
        "disabled",
        "nationality",
        "citizenship",
        "country",
        "marital",
        "language",
        "accent",
        "region",
        "caste",
        "orientation",
        "pregnancy",
        "veteran",
        "hispanic",
    }
)
LEADING_ZERO = re.compile(r"^[+-]?0\d")
WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


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


def attribute_hint(name: str) -> bool:
    """Whether a word of the column's name names a protected attribute (``wage_per_hour`` does not:
    "age" must be a whole word, as in ``age`` or ``AgeGroup``)."""
    return any(word.lower() in ATTRIBUTE_WORDS for word in WORD.findall(name))


def merged(files: Sequence[FileStats], name: str) -> ColumnStats:
    """One column's statistics over every file."""
    parts = [next(c for c in f.columns if c.name == name) for f in files]
    total = ColumnStats(name, parts[0].arrow_type)
    for part in parts:
        total.rows += part.rows
        total.empty += part.empty
        total.numeric += part.numeric
        total.text = total.text or part.text
        total.low = _fold(min, total.low, part.low)
        total.high = _fold(max, total.high, part.high)
        if total.counts is not None and part.counts is not None:
            for value, count in part.counts.items():
                total.counts[value] = total.counts.get(value, 0) + count
        else:
            total.counts = None
    return total


def _fold(pick: Any, a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else float(pick(a, b))


def guess_columns(files: Sequence[FileStats], choices: Mapping[str, str]) -> list[ColumnGuess]:
    """A guess for every column, after the organizer's choices on the problems found."""
    return [guess_column(merged(files, c.name), choices) for c in files[0].columns]


def guess_column(entry: ColumnStats, choices: Mapping[str, str]) -> ColumnGuess:
    name, hint = entry.name, attribute_hint(entry.name)
    values = categories_after(entry, choices)
    odd = choices.get(f"{name}/non_numeric")
    nullable = entry.empty > 0 or odd == "missing" or choices.get(f"{name}/na_values") == "missing"
    distinct = len(values) if values is not None else 0
    lowered = {v.lower() for v in values or ()}
    if values and len(lowered) <= 2 and (lowered <= BOOLEAN_WORDS or lowered <= BOOLEAN_DIGITS):
        return ColumnGuess(name, Kind.BOOLEAN.value, [], nullable, attribute=hint, distinct=distinct)
    if _numeric(entry, odd):
        return ColumnGuess(name, Kind.NUMERIC.value, [], nullable, attribute=hint, distinct=distinct)
    id_like = (
        values is None
        or distinct > MAX_CATEGORIES
        or (entry.present >= 20 and distinct >= ID_LIKE_SHARE * entry.present)
    )
    role = "ignore" if id_like or not values else "feature"
    categories = [] if values is None or distinct > MAX_CATEGORIES else values
    return ColumnGuess(
        name, Kind.CATEGORICAL.value, categories, nullable, role, hint and not id_like, distinct
    )


def _numeric(entry: ColumnStats, odd_choice: str | None) -> bool:
    if not entry.textual:
        return entry.arrow_type != "bool"
    if entry.text or not entry.numeric or odd_choice == "categorical":
        return False
    if entry.numeric < entry.present and odd_choice not in ("missing", "drop"):
        return False
    return not any(LEADING_ZERO.match(v) for v in entry.counts or ())


def categories_after(entry: ColumnStats, choices: Mapping[str, str]) -> list[str] | None:
    """The column's distinct values once the choices apply (None: too many to count)."""
    if entry.counts is None:
        return None
    values = set(entry.counts)
    if choices.get(f"{entry.name}/na_values") in ("missing", "drop"):
        values -= set(NA_WORDS)
    if choices.get(f"{entry.name}/whitespace") == "strip":
        values = {v.strip() for v in values} - {""}
    return sorted(values)


def guess_target_name(columns: Sequence[str]) -> str:
    """The last column, unless a column is plainly called a target or label."""
    for name in columns:
        if name.lower() in ("target", "label", "y", "outcome", "class"):
            return name
    return columns[-1]


def guess_target(entry: ColumnStats, choices: Mapping[str, str]) -> TargetGuess:
    """The task and its classes (sorted, numerically when they are numbers) or value range."""
    values = categories_after(entry, choices) or []
    numeric = entry.numeric == entry.present and entry.numeric > 0 and not entry.text
    if not numeric:
        task = Task.BINARY if len(values) <= 2 else Task.MULTICLASS
        return TargetGuess(task, tuple(values))
    whole = all(float(v) == round(float(v)) for v in values) if values else False
    if values and (len(values) <= 2 or (whole and len(values) <= MAX_MULTICLASS)):
        ordered = tuple(sorted(values, key=lambda v: (float(v), v)))
        return TargetGuess(Task.BINARY if len(values) <= 2 else Task.MULTICLASS, ordered)
    low, high = float(entry.low or 0.0), float(entry.high or 0.0)
    return TargetGuess(Task.REGRESSION, (), (low, high if high > low else low + 1.0))
