"""A competition's schema: feature columns, the target, the task and report attributes.

Data frames are brought to one canonical form (``Schema.coerce``) that every part of the engine, the
platform and the client uses, so a model trained on the public train split sees the same dtypes on the
hidden splits:

- numeric columns: ``float64`` (missing values are NaN);
- categorical columns: pandas ``Categorical`` whose categories are exactly the allowed values, in schema
  order (missing values are NaN codes);
- boolean columns: ``float64`` holding 0.0 / 1.0 (missing values are NaN).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import EngineError, Reason

MAX_COLUMNS = 512
MAX_CATEGORIES = 10_000
_TRUE = {"true", "1", "1.0", "yes", "t", "y"}
_FALSE = {"false", "0", "0.0", "no", "f", "n"}


class Kind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"


class Task(StrEnum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        return self is not Task.REGRESSION


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    categories: tuple[str, ...] = ()
    nullable: bool = True
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind.value,
            "nullable": self.nullable,
        }
        if self.kind is Kind.CATEGORICAL:
            out["categories"] = list(self.categories)
        if self.description:
            out["description"] = self.description
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Column:
        return cls(
            name=str(data["name"]),
            kind=Kind(data["kind"]),
            categories=tuple(str(c) for c in data.get("categories", ())),
            nullable=bool(data.get("nullable", True)),
            description=str(data.get("description", "")),
        )


@dataclass(frozen=True)
class SchemaIssue:
    """One problem found in a data frame: which column, which row (when one), and what."""

    column: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"column {self.column!r}" + (f", row {self.row}" if self.row is not None else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]
    target: str
    task: Task
    classes: tuple[str, ...] = ()
    target_range: tuple[float, float] | None = None
    attributes: tuple[str, ...] = ()
    _by_name: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = self._structural_problems()
        if problems:
            raise EngineError(Reason.SCHEMA_MISMATCH, "; ".join(problems), field="schema")
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    def _structural_problems(self) -> list[str]:
        names = [c.name for c in self.columns]
        problems = []
        if not names or len(names) > MAX_COLUMNS:
            problems.append(f"a schema needs 1 to {MAX_COLUMNS} feature columns")
        if len(set(names)) != len(names):
            problems.append("column names must be unique")
        if self.target in names:
            problems.append(f"the target {self.target!r} cannot also be a feature")
        for col in self.columns:
            if col.kind is Kind.CATEGORICAL and not 0 < len(col.categories) <= MAX_CATEGORIES:
                problems.append(f"categorical column {col.name!r} needs 1 to {MAX_CATEGORIES} values")
            if len(set(col.categories)) != len(col.categories):
                problems.append(f"categorical column {col.name!r} repeats a value")
        if self.task.is_classification:
            want = 2 if self.task is Task.BINARY else 3
            if len(self.classes) < want or len(set(self.classes)) != len(self.classes):
                problems.append(f"a {self.task.value} task needs at least {want} distinct classes")
        elif self.target_range is None or not self.target_range[0] < self.target_range[1]:
            problems.append("a regression task needs a target range (low < high)")
        problems += [f"unknown attribute {a!r}" for a in self.attributes if a not in names]
        return problems

    # -- lookup -------------------------------------------------------------------------------
    @property
    def feature_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        try:
            return self._by_name[name]
        except KeyError:
            raise EngineError(Reason.SCHEMA_MISMATCH, f"unknown column {name!r}", field=name) from None

    def has_column(self, name: str) -> bool:
        return name in self._by_name

    # -- JSON ---------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "columns": [c.to_json() for c in self.columns],
            "target": self.target,
            "task": self.task.value,
            "attributes": list(self.attributes),
        }
        if self.task.is_classification:
            out["classes"] = list(self.classes)
        else:
            out["target_range"] = list(self.target_range or ())
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Schema:
        if isinstance(data, str):
            data = json.loads(data)
        assert isinstance(data, dict)
        try:
            rng = data.get("target_range")
            return cls(
                columns=tuple(Column.from_json(c) for c in data["columns"]),
                target=str(data["target"]),
                task=Task(data["task"]),
                classes=tuple(str(c) for c in data.get("classes", ())),
                target_range=(float(rng[0]), float(rng[1])) if rng else None,
                attributes=tuple(str(a) for a in data.get("attributes", ())),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise EngineError(Reason.SCHEMA_MISMATCH, f"malformed schema: {exc}") from exc

    # -- validation and canonical form ----------------------------------------------------------
    def validate(self, df: pd.DataFrame, *, with_target: bool = False) -> list[SchemaIssue]:
        """Every problem that stops ``df`` from matching the schema (empty when it matches)."""
        issues: list[SchemaIssue] = []
        for col in self.columns:
            if col.name not in df.columns:
                issues.append(SchemaIssue(col.name, "missing column"))
                continue
            issues += _column_issues(col, df[col.name])
        if with_target:
            if self.target not in df.columns:
                issues.append(SchemaIssue(self.target, "missing target column"))
            else:
                issues += self._target_issues(df[self.target])
        return issues

    def _target_issues(self, series: pd.Series) -> list[SchemaIssue]:
        if self._class_codes(series) is not None:
            return []
        if series.isna().any():
            return [SchemaIssue(self.target, "target has missing values", _first(series.isna()))]
        if self.task.is_classification:
            bad = ~series.astype(str).isin(self.classes)
            if bad.any():
                row = _first(bad)
                value = series.iloc[row]
                return [SchemaIssue(self.target, f"unknown class {value!r}", row)]
            return []
        values = pd.to_numeric(series, errors="coerce")
        if values.isna().any():
            return [SchemaIssue(self.target, "target is not numeric", _first(values.isna()))]
        return []

    def _class_codes(self, series: pd.Series) -> np.ndarray | None:
        """The class codes of a categorical target with no missing value whose categories are all
        classes (read straight from its codes); None for any other target."""
        if not (self.task.is_classification and isinstance(series.dtype, pd.CategoricalDtype)):
            return None
        index = {c: i for i, c in enumerate(self.classes)}
        names = [str(c) for c in series.dtype.categories]
        codes = np.asarray(series.array.codes)
        if not all(name in index for name in names) or (codes < 0).any():
            return None
        return np.asarray([index[name] for name in names], dtype=np.int64)[codes]

    def coerce(self, df: pd.DataFrame) -> pd.DataFrame:
        """The features of ``df`` in canonical form; raises with every issue when it does not fit."""
        issues = self.validate(df)
        if issues:
            text = "; ".join(str(i) for i in issues[:10])
            raise EngineError(Reason.SCHEMA_MISMATCH, text, field=issues[0].column)
        return pd.DataFrame({c.name: _canonical(c, df[c.name]) for c in self.columns}, index=None)

    def encode_target(self, series: pd.Series) -> np.ndarray:
        """Class codes (int64, schema order) for classification; float64 values for regression."""
        codes = self._class_codes(series)
        if codes is not None:
            return codes
        issues = self._target_issues(series)
        if issues:
            raise EngineError(Reason.SCHEMA_MISMATCH, str(issues[0]), field=self.target)
        if self.task.is_classification:
            lookup = {c: i for i, c in enumerate(self.classes)}
            return series.astype(str).map(lookup).to_numpy(dtype=np.int64)
        return pd.to_numeric(series).to_numpy(dtype=np.float64)


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


def _column_issues(col: Column, series: pd.Series) -> list[SchemaIssue]:
    fast = _canonical_issues(col, series)
    if fast is not None:
        return fast
    missing = series.isna()
    if not col.nullable and missing.any():
        return [SchemaIssue(col.name, "missing value in a column that allows none", _first(missing))]
    present = series[~missing]
    if col.kind is Kind.NUMERIC:
        values = pd.to_numeric(present, errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            row = int(np.flatnonzero(~missing.to_numpy())[np.flatnonzero(bad.to_numpy())[0]])
            return [SchemaIssue(col.name, f"not a finite number: {series.iloc[row]!r}", row)]
    elif col.kind is Kind.CATEGORICAL:
        bad = ~present.astype(str).isin(col.categories)
        if bad.any():
            row = int(np.flatnonzero(~missing.to_numpy())[np.flatnonzero(bad.to_numpy())[0]])
            return [SchemaIssue(col.name, f"value {series.iloc[row]!r} is not allowed", row)]
    else:
        text = present.astype(str).str.lower()
        bad = ~text.isin(_TRUE | _FALSE)
        if bad.any():
            row = int(np.flatnonzero(~missing.to_numpy())[np.flatnonzero(bad.to_numpy())[0]])
            return [SchemaIssue(col.name, f"not a boolean: {series.iloc[row]!r}", row)]
    return []


def _canonical_issues(col: Column, series: pd.Series) -> list[SchemaIssue] | None:
    """The issues of a column already in canonical form (categories equal to the schema's, or float64
    numbers), found without turning a million values into text; None for any other column."""
    if col.kind is Kind.CATEGORICAL and _schema_categorical(series, col.categories):
        missing = np.asarray(series.array.codes) < 0
    elif col.kind is Kind.NUMERIC and series.dtype == np.float64:
        values = series.to_numpy()
        missing = np.isnan(values)
        infinite = np.isinf(values)
        if infinite.any() and (col.nullable or not missing.any()):
            row = int(np.flatnonzero(infinite)[0])
            return [SchemaIssue(col.name, f"not a finite number: {series.iloc[row]!r}", row)]
    else:
        return None
    if not col.nullable and missing.any():
        return [
            SchemaIssue(
                col.name, "missing value in a column that allows none", int(np.flatnonzero(missing)[0])
            )
        ]
    return []


def _schema_categorical(series: pd.Series, categories: tuple[str, ...]) -> bool:
    dtype = series.dtype
    return isinstance(dtype, pd.CategoricalDtype) and tuple(str(c) for c in dtype.categories) == categories


def _canonical(col: Column, series: pd.Series) -> Any:
    if col.kind is Kind.NUMERIC:
        return pd.to_numeric(series).to_numpy(dtype=np.float64, na_value=np.nan)
    if col.kind is Kind.CATEGORICAL:
        if (
            isinstance(series.dtype, pd.CategoricalDtype)
            and tuple(str(c) for c in series.cat.categories) == col.categories
        ):
            return series.array
        text = series.astype("string").astype(object).where(series.notna(), None)
        return pd.Categorical(text, categories=list(col.categories))
    text = series.astype("string").str.lower()
    out = np.full(len(series), np.nan)
    out[text.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = 1.0
    out[text.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = 0.0
    return out
