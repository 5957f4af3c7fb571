"""A competition's data, as the Data tab shows it: every column with its type and allowed values,
which columns are the protected attributes, the target, and the rows in each split.

The columns come from the schema the competition's store decides with (``competition_rules``), never
from a second copy; the row counts from the data card written when the competition was created.
"""

from __future__ import annotations

from dataclasses import dataclass

from bounty.models import Competition
from bounty.selectors.competitions import competition_data_card
from bounty.selectors.rules import competition_rules
from scoring.schema import Kind

KIND_LABELS = {Kind.NUMERIC: "number", Kind.CATEGORICAL: "category", Kind.BOOLEAN: "true / false"}


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    kind: str
    allowed: tuple[str, ...]  # a category's values, in the schema's order; empty for other kinds
    nullable: bool
    description: str
    protected: bool  # one of the attributes the reports break results down by


@dataclass(frozen=True)
class DataDictionary:
    columns: list[ColumnInfo]
    target: str
    task_label: str
    classes: tuple[str, ...]
    target_range: tuple[float, float] | None
    attributes: tuple[str, ...]
    rows: list[tuple[str, int]]


def data_dictionary(*, competition: Competition) -> DataDictionary:
    rules = competition_rules(competition=competition)
    schema = rules.schema
    protected = set(schema.attributes)
    columns = [
        ColumnInfo(
            name=c.name,
            kind=KIND_LABELS[c.kind],
            allowed=c.categories if c.kind is Kind.CATEGORICAL else (),
            nullable=c.nullable,
            description=c.description,
            protected=c.name in protected,
        )
        for c in schema.columns
    ]
    return DataDictionary(
        columns=columns,
        target=schema.target,
        task_label=rules.task_label,
        classes=schema.classes,
        target_range=schema.target_range,
        attributes=schema.attributes,
        rows=competition_data_card(competition=competition).rows,
    )
