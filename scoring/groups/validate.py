"""Checking a JSON group tree against a schema and bringing it to its normalized form.

The normalized form: numeric literals are floats, categorical literals are allowed values, boolean
literals are ``True``/``False``; ``values`` lists are deduplicated and sorted (numbers ascending,
categories in schema order, ``false`` before ``true``); each node has exactly its keys.
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

import numpy as np

from scoring.errors import EngineError
from scoring.groups.tree import (
    ALL_OPS,
    COMPARISONS,
    LEAF_KEYS,
    LIST_OPS,
    MAX_DEPTH,
    MAX_NODES,
    MAX_STRING,
    MAX_VALUES,
    ORDERING,
    Tree,
    category_index,
    invalid,
    shorten,
    suggest,
)
from scoring.jsonlimits import depth_message, json_depth
from scoring.schema import Column, Kind, Schema

_ROOT = "group"
# The deepest JSON a valid tree needs: each level of combinators is an object and a list.
MAX_JSON_DEPTH = 2 * MAX_DEPTH + 2
MAX_JSON_CHARS = 64 * 1024


def loads_tree(text: str) -> object:
    """The JSON value of a group given as JSON text, its size and nesting checked before it is
    parsed (no recursion ever meets a deeper document); ``EngineError(INVALID_GROUP)`` with the
    exact cause otherwise. ``validate_tree`` then checks the value."""
    if len(text) > MAX_JSON_CHARS:
        raise invalid(
            f"The group's JSON has {len(text):,} characters; the limit is {MAX_JSON_CHARS:,}.", _ROOT
        )
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise invalid(depth_message("The group", depth, MAX_JSON_DEPTH), _ROOT)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise invalid(f"The group is not valid JSON: {exc}.", _ROOT) from None


def validate_tree(tree: object, schema: Schema) -> Tree:
    """A normalized copy of ``tree``; raises ``EngineError(INVALID_GROUP)`` naming what is wrong."""
    if isinstance(tree, dict) and tree.get("op") == "all":
        _check_keys(tree, ("op",), "", "all")
        return {"op": "all"}
    if isinstance(tree, str):
        raise invalid("the group must be a JSON object, not text (use the text form instead)", _ROOT)
    return _node(tree, schema, "", 1, [0])


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _where(path: str) -> str:
    return f"at {path}" if path else "at the top of the group"


def _show(value: object) -> str:
    """A short description of a JSON value for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"text {shorten(value)!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return shorten(repr(value))


def _node(node: object, schema: Schema, path: str, depth: int, count: list[int]) -> Tree:
    if depth > MAX_DEPTH:
        raise invalid(f"the group is nested too deeply (at most {MAX_DEPTH} levels)", path or _ROOT)
    count[0] += 1
    if count[0] > MAX_NODES:
        raise invalid(
            f"the group has too many parts (at most {MAX_NODES} conditions and combinators)",
            path or _ROOT,
        )
    if not isinstance(node, dict):
        raise invalid(f"expected a condition object {_where(path)}, got {_show(node)}", path or _ROOT)
    op = node.get("op")
    if not isinstance(op, str):
        raise invalid(f"missing or non-text 'op' {_where(path)}", _join(path, "op"))
    if op in ("and", "or"):
        return _combinator(node, op, schema, path, depth, count)
    if op == "not":
        _check_keys(node, ("op", "arg"), path, op)
        return {
            "op": "not",
            "arg": _node(node["arg"], schema, _join(path, "arg"), depth + 1, count),
        }
    if op == "all":
        raise invalid("'all' means every row and can only be the whole group", path or _ROOT)
    if op in LEAF_KEYS:
        return _leaf(node, op, schema, path)
    raise invalid(f"unknown op {shorten(op)!r}{suggest(op, ALL_OPS)}", _join(path, "op"))


def _combinator(
    node: dict[Any, Any], op: str, schema: Schema, path: str, depth: int, count: list[int]
) -> Tree:
    _check_keys(node, ("op", "args"), path, op)
    args = node["args"]
    if not isinstance(args, list) or len(args) < 2:
        raise invalid(f"'{op}' needs a list of at least two conditions in 'args'", _join(path, "args"))
    out = [_node(arg, schema, _join(path, f"args[{i}]"), depth + 1, count) for i, arg in enumerate(args)]
    return {"op": op, "args": out}


def _check_keys(node: dict[Any, Any], keys: tuple[str, ...], path: str, op: str) -> None:
    for key in node:
        if key not in keys:
            expected = ", ".join(repr(k) for k in keys)
            raise invalid(
                f"unknown key {shorten(str(key))!r} in a '{op}' node {_where(path)}; "
                f"expected only {expected}",
                _join(path, str(key)),
            )
    missing = [k for k in keys if k not in node]
    if missing:
        names = " and ".join(repr(k) for k in missing)
        raise invalid(f"a '{op}' node needs {names} {_where(path)}", _join(path, missing[0]))


def _leaf(node: dict[Any, Any], op: str, schema: Schema, path: str) -> Tree:
    _check_keys(node, LEAF_KEYS[op], path, op)
    column = _column(node["col"], schema, _join(path, "col"))
    if op in ORDERING and column.kind is not Kind.NUMERIC:
        raise invalid(
            f"'{op}' needs a numeric column, but {column.name!r} is {column.kind.value}; "
            "use '==', '!=', 'in' or 'not in'",
            _join(path, "op"),
        )
    out: Tree = {"col": column.name, "op": op}
    if op in COMPARISONS:
        out["value"] = _literal(node["value"], column, _join(path, "value"))
    elif op in LIST_OPS:
        out["values"] = _values(node["values"], column, _join(path, "values"))
    elif op == "between":
        low = _literal(node["low"], column, _join(path, "low"))
        high = _literal(node["high"], column, _join(path, "high"))
        if low > high:
            raise invalid(
                f"'between' needs low <= high, got {low!r} > {high!r} for {column.name!r}",
                _join(path, "high"),
            )
        out["low"], out["high"] = low, high
    return out


def column_error(name: str, schema: Schema, field: str, at: str = "") -> EngineError:
    """The error for a column name the schema does not have."""
    return invalid(f"unknown column {shorten(name)!r}{at}{suggest(name, schema.feature_names)}", field)


def _column(name: object, schema: Schema, field: str) -> Column:
    if not isinstance(name, str):
        raise invalid(f"'col' must be a column name as text, got {_show(name)}", field)
    if len(name) > MAX_STRING or not schema.has_column(name):
        raise column_error(name[:MAX_STRING], schema, field)
    return schema.column(name)


def _literal(value: object, column: Column, field: str) -> Any:
    if column.kind is Kind.NUMERIC:
        return _number(value, column, field)
    if column.kind is Kind.BOOLEAN:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        raise invalid(
            f"column {column.name!r} is boolean; {field} must be true or false, got {_show(value)}",
            field,
        )
    return _category(value, column, field)


def _number(value: object, column: Column, field: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise invalid(
            f"column {column.name!r} is numeric; {field} must be a number, got {_show(value)}",
            field,
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise invalid(
            f"{field} for column {column.name!r} must be a finite number, got {_show(value)}", field
        )
    return number


def _category(value: object, column: Column, field: str) -> str:
    if not isinstance(value, str):
        raise invalid(
            f"column {column.name!r} is categorical; {field} must be one of its values as text, "
            f"got {_show(value)}",
            field,
        )
    if len(value) > MAX_STRING:
        raise invalid(f"{field} is longer than {MAX_STRING} characters", field)
    if value not in category_index(column):
        hint = suggest(value, column.categories)
        if not hint and len(column.categories) <= 12:
            hint = "; allowed: " + ", ".join(repr(c) for c in column.categories)
        raise invalid(f"{shorten(value)!r} is not a value of column {column.name!r}{hint}", field)
    return value


def _values(values: object, column: Column, field: str) -> list[Any]:
    if not isinstance(values, list):
        raise invalid(f"{field} must be a list of values, got {_show(values)}", field)
    if not values:
        raise invalid(f"{field} needs at least one value", field)
    if len(values) > MAX_VALUES:
        raise invalid(f"{field} has {len(values)} values; at most {MAX_VALUES} are allowed", field)
    items = {_literal(v, column, f"{field}[{i}]") for i, v in enumerate(values)}
    if column.kind is Kind.CATEGORICAL:
        return sorted(items, key=category_index(column).__getitem__)
    return sorted(items)
