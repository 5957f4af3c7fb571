"""Turning the organizer's schema choices into a ``Schema``, filling blanks from the data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from bounty.errors import DomainError
from bounty.wizard.infer import guess_column, guess_target
from scoring.errors import EngineError
from scoring.schema import Column, Kind, Schema, Task


@dataclass(frozen=True)
class ColumnChoice:
    name: str
    role: str  # feature | ignore
    kind: str
    nullable: bool
    attribute: bool
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetChoice:
    name: str
    task: str  # auto | binary | multiclass | regression
    classes: tuple[str, ...] = ()
    target_range: tuple[float, float] | None = None


def build_schema(data: pd.DataFrame, columns: Sequence[ColumnChoice], target: TargetChoice) -> Schema:
    """The schema the choices describe; blank categories, classes and range come from ``data``."""
    if target.name not in data.columns:
        raise DomainError("invalid_schema", f"There is no column {target.name!r}.", field="target")
    features = [c for c in columns if c.role == "feature" and c.name != target.name]
    if not features:
        raise DomainError("invalid_schema", "Choose at least one feature column.", field="target")
    schema_columns = tuple(_column(c, data[c.name]) for c in features)
    task, classes, target_range = _target(target, data[target.name])
    try:
        return Schema(
            columns=schema_columns,
            target=target.name,
            task=task,
            classes=classes,
            target_range=target_range,
            attributes=tuple(c.name for c in features if c.attribute),
        )
    except EngineError as exc:
        raise DomainError("invalid_schema", exc.message, field="target") from exc


def _column(choice: ColumnChoice, series: pd.Series) -> Column:
    kind = Kind(choice.kind)
    categories: tuple[str, ...] = ()
    if kind is Kind.CATEGORICAL:
        categories = choice.categories or tuple(guess_column(choice.name, series).categories)
        if not categories:
            message = f"Column {choice.name!r} has too many distinct values to be categorical."
            raise DomainError("invalid_schema", message, field="target")
    return Column(choice.name, kind, categories=categories, nullable=choice.nullable)


def _target(
    choice: TargetChoice, series: pd.Series
) -> tuple[Task, tuple[str, ...], tuple[float, float] | None]:
    guess = guess_target(series)
    task = guess.task if choice.task == "auto" else Task(choice.task)
    if task.is_classification:
        present = series.dropna().astype(str).str.strip()
        classes = choice.classes or guess.classes or tuple(sorted(set(present[present != ""])))
        return task, tuple(classes), None
    if choice.target_range is not None:
        return task, (), choice.target_range
    numbers = pd.to_numeric(series, errors="coerce").dropna()
    if numbers.empty:
        raise DomainError("invalid_schema", "A regression target must be numeric.", field="target")
    low, high = float(numbers.min()), float(numbers.max())
    return task, (), (low, high if high > low else low + 1.0)
