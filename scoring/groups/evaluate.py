"""Vectorised evaluation of a group tree on a canonical frame (see ``Schema.coerce``).

Null semantics: every comparison (``== != < <= > >=``), ``in``, ``not in`` and ``between`` is
False on a missing value; ``not`` is plain boolean negation (``not (age >= 60)`` holds where age
is missing); ``is null`` / ``is not null`` test missingness. Categorical columns are compared on
their category codes: each literal's code is looked up once per condition.

``and`` / ``or`` evaluate later operands only on the rows still undecided when those are few.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.errors import EngineError, Reason
from scoring.groups.tree import COMBINATORS, Tree, category_index
from scoring.groups.validate import validate_tree
from scoring.schema import Column, Kind, Schema

Rows = np.ndarray | None  # positions of the rows to evaluate; None means every row


def evaluate(tree: Tree, frame: pd.DataFrame, schema: Schema) -> np.ndarray:
    """A bool array of shape ``(len(frame),)``: True on the rows in the group."""
    tree = validate_tree(tree, schema)
    if tree["op"] == "all":
        return np.ones(len(frame), dtype=bool)
    return _Evaluator(frame, schema).run(tree, None)


class _Evaluator:
    def __init__(self, frame: pd.DataFrame, schema: Schema) -> None:
        self.frame = frame
        self.schema = schema
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, column: Column) -> np.ndarray:
        """Float64 values (numeric, boolean) or category codes (categorical, -1 when missing)."""
        if column.name not in self.arrays:
            self.arrays[column.name] = _load(self.frame, column)
        return self.arrays[column.name]

    def run(self, node: Tree, rows: Rows) -> np.ndarray:
        op = node["op"]
        if op in COMBINATORS:
            return self.chain(node["args"], rows, conjunction=op == "and")
        if op == "not":
            return ~self.run(node["arg"], rows)
        column = self.schema.column(node["col"])
        values = self.array(column)
        if rows is not None:
            values = values[rows]
        if column.kind is Kind.CATEGORICAL:
            return _categorical(node, values, column)
        return _numeric(node, values)

    def chain(self, args: list[Tree], rows: Rows, *, conjunction: bool) -> np.ndarray:
        out = self.run(args[0], rows)
        for arg in args[1:]:
            undecided = out if conjunction else ~out
            count = int(np.count_nonzero(undecided))
            if count == 0:
                break
            if 2 * count >= len(out):
                part = self.run(arg, rows)
                out = out & part if conjunction else out | part
                continue
            positions = np.flatnonzero(undecided)
            out[positions] = self.run(arg, positions if rows is None else rows[positions])
        return out


def _load(frame: pd.DataFrame, column: Column) -> np.ndarray:
    if column.name not in frame.columns:
        raise EngineError(
            Reason.SCHEMA_MISMATCH, f"the data has no column {column.name!r}", field=column.name
        )
    series = frame[column.name]
    if column.kind is Kind.CATEGORICAL:
        dtype = series.dtype
        if not isinstance(dtype, pd.CategoricalDtype) or tuple(str(c) for c in dtype.categories) != tuple(
            column.categories
        ):
            raise EngineError(
                Reason.SCHEMA_MISMATCH,
                f"column {column.name!r} is not in canonical form (use Schema.coerce)",
                field=column.name,
            )
        return np.asarray(series.cat.codes.to_numpy())
    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise EngineError(
            Reason.SCHEMA_MISMATCH,
            f"column {column.name!r} is not in canonical form (use Schema.coerce)",
            field=column.name,
        ) from None


def _as_float(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def _numeric(node: Tree, x: np.ndarray) -> np.ndarray:
    """Numeric and boolean columns: float64 with NaN for missing (booleans as 0.0 / 1.0)."""
    op = node["op"]
    if op == "is null":
        return np.isnan(x)
    if op == "is not null":
        return ~np.isnan(x)
    if op == "between":
        return (x >= node["low"]) & (x <= node["high"])
    if op in ("in", "not in"):
        found = np.isin(x, np.array([_as_float(v) for v in node["values"]], dtype=np.float64))
        return found if op == "in" else ~found & ~np.isnan(x)
    value = _as_float(node["value"])
    if op == "==":
        return x == value
    if op == "!=":
        return (x != value) & ~np.isnan(x)
    if op == "<":
        return x < value
    if op == "<=":
        return x <= value
    if op == ">":
        return x > value
    return x >= value


def _categorical(node: Tree, codes: np.ndarray, column: Column) -> np.ndarray:
    """Categorical columns: integer codes in schema order, -1 for missing."""
    op = node["op"]
    if op == "is null":
        return codes < 0
    if op == "is not null":
        return codes >= 0
    index = category_index(column)
    if op == "==":
        return codes == index[node["value"]]
    wanted = node["values"] if op in ("in", "not in") else [node["value"]]
    table = np.zeros(len(column.categories) + 1, dtype=bool)  # the last slot answers code -1
    table[[index[v] for v in wanted]] = True
    if op != "in":  # "not in" and "!="
        table = ~table
        table[-1] = False
    return table[codes]
