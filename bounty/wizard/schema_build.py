"""Turning the organizer's schema choices into a ``Schema``, filling blanks from what the reader counted
(after the organizer's choices on the problems it found)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bounty.errors import DomainError
from bounty.wizard.infer import categories_after, guess_target, merged
from bounty.wizard.stats import ColumnStats, FileStats
from scoring.errors import EngineError
from scoring.schema import MAX_CATEGORIES, Column, Kind, Schema, Task


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


def build_schema(
    files: Sequence[FileStats],
    problem_choices: Mapping[str, str],
    columns: Sequence[ColumnChoice],
    target: TargetChoice,
) -> Schema:
    """The schema the choices describe; blank categories, classes and range come from the files."""
    names = [c.name for c in files[0].columns]
    if target.name not in names:
        raise DomainError("invalid_schema", f"There is no column {target.name!r}.", field="target")
    features = [c for c in columns if c.role == "feature" and c.name != target.name]
    if not features:
        raise DomainError("invalid_schema", "Choose at least one feature column.", field="target")
    unknown = [c.name for c in features if c.name not in names]
    if unknown:
        raise DomainError("invalid_schema", f"There is no column {unknown[0]!r}.", field="columns")
    schema_columns = tuple(_column(c, merged(files, c.name), problem_choices) for c in features)
    task, classes, target_range = _target(target, merged(files, target.name), problem_choices)
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


def _column(choice: ColumnChoice, entry: ColumnStats, problem_choices: Mapping[str, str]) -> Column:
    kind = Kind(choice.kind)
    categories: tuple[str, ...] = ()
    if kind is Kind.CATEGORICAL:
        categories = choice.categories or tuple(categories_after(entry, problem_choices) or ())
        if not categories or len(categories) > MAX_CATEGORIES:
            message = f"Column {choice.name!r} has too many distinct values to be categorical."
            raise DomainError("invalid_schema", message, field="columns")
    return Column(choice.name, kind, categories=categories, nullable=choice.nullable)


def _target(
    choice: TargetChoice, entry: ColumnStats, problem_choices: Mapping[str, str]
) -> tuple[Task, tuple[str, ...], tuple[float, float] | None]:
    guess = guess_target(entry, problem_choices)
    task = guess.task if choice.task == "auto" else Task(choice.task)
    if task.is_classification:
        classes = choice.classes or guess.classes or tuple(categories_after(entry, problem_choices) or ())
        return task, tuple(classes), None
    if choice.target_range is not None:
        return task, (), choice.target_range
    if entry.low is None or entry.high is None:
        raise DomainError("invalid_schema", "A regression target must be numeric.", field="target")
    return task, (), (entry.low, entry.high if entry.high > entry.low else entry.low + 1.0)
