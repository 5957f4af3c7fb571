"""Property tests of the group language: text round trip, algebra of evaluate, and a naive reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.errors import EngineError, Reason
from scoring.groups import (
    describe,
    evaluate,
    parse_text,
    to_text,
    tree_depth,
    tree_size,
    validate_tree,
)
from scoring.groups.lexer import quote, read_quoted, tokenize
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine

RACES = ("White", "Black", 'Other "race" \\ 2', "Ünï\tcode")
SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("weird col", Kind.NUMERIC),
        Column("sex", Kind.CATEGORICAL, ("Female", "Male")),
        Column("race", Kind.CATEGORICAL, RACES),
        Column("is_smoker", Kind.BOOLEAN),
        Column("in", Kind.BOOLEAN),
    ),
    target="label",
    task=Task.BINARY,
    classes=("no", "yes"),
)
NUMERIC = ("age", "weird col")
CATEGORIES = {"sex": ("Female", "Male"), "race": RACES}
BOOLEAN = ("is_smoker", "in")
SMALL_NUMBERS = (-2, -1, -0.5, 0, 0.5, 1, 2)
PROPERTY = settings(max_examples=250, deadline=None)

Tree = dict[str, Any]


def leaves(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[Tree]:
    def comparison(col: str, values: st.SearchStrategy[Any], ops: tuple[str, ...]) -> Any:
        single = st.builds(lambda op, v: {"col": col, "op": op, "value": v}, st.sampled_from(ops), values)
        listed = st.builds(
            lambda op, vs: {"col": col, "op": op, "values": vs},
            st.sampled_from(("in", "not in")),
            st.lists(values, min_size=1, max_size=4),
        )
        nulls = st.sampled_from(("is null", "is not null")).map(lambda op: {"col": col, "op": op})
        return st.one_of(single, listed, nulls)

    def between(col: str) -> Any:
        pairs = st.tuples(numbers, numbers).map(sorted)
        return pairs.map(lambda p: {"col": col, "op": "between", "low": p[0], "high": p[1]})

    eq = ("==", "!=")
    options = [
        *(comparison(c, numbers, (*eq, "<", "<=", ">", ">=")) for c in NUMERIC),
        *(between(c) for c in NUMERIC),
        *(comparison(c, st.sampled_from(cats), eq) for c, cats in CATEGORIES.items()),
        *(comparison(c, st.booleans(), eq) for c in BOOLEAN),
    ]
    return st.one_of(options)


def trees(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[Tree]:
    def extend(kids: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
        return st.one_of(
            kids.map(lambda a: {"op": "not", "arg": a}),
            st.builds(
                lambda op, xs: {"op": op, "args": xs},
                st.sampled_from(("and", "or")),
                st.lists(kids, min_size=2, max_size=3),
            ),
        )

    raw = st.recursive(leaves(numbers), extend, max_leaves=12)
    valid = raw.filter(lambda t: tree_size(t) <= 64 and tree_depth(t) <= 8)
    return valid.map(lambda t: validate_tree(t, SCHEMA))


WIDE_NUMBERS = st.one_of(st.integers(-(10**18), 10**18), st.floats(allow_nan=False, allow_infinity=False))
WIDE_TREES = st.one_of(st.just({"op": "all"}), trees(WIDE_NUMBERS))
SMALL_TREES = trees(st.sampled_from(SMALL_NUMBERS))


@st.composite
def frames(draw: st.DrawFn) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """A canonical frame with missing values, and the same rows as plain Python dicts."""

    def cell(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(st.none(), values)

    row = st.fixed_dictionaries(
        {
            **{c: cell(st.sampled_from(SMALL_NUMBERS)) for c in NUMERIC},
            **{c: cell(st.sampled_from(cats)) for c, cats in CATEGORIES.items()},
            **{c: cell(st.booleans()) for c in BOOLEAN},
        }
    )
    rows = draw(st.lists(row, min_size=1, max_size=30))
    raw = pd.DataFrame({c.name: pd.Series([r[c.name] for r in rows], dtype=object) for c in SCHEMA.columns})
    return SCHEMA.coerce(raw), rows


def reference(node: Tree, row: dict[str, Any]) -> bool:
    """The documented semantics, one row at a time in plain Python."""
    op = node["op"]
    if op == "all":
        return True
    if op == "and":
        return all(reference(a, row) for a in node["args"])
    if op == "or":
        return any(reference(a, row) for a in node["args"])
    if op == "not":
        return not reference(node["arg"], row)
    value = row[node["col"]]
    if op in ("is null", "is not null"):
        return (value is None) == (op == "is null")
    if value is None:
        return False
    if op == "in":
        return value in node["values"]
    if op == "not in":
        return value not in node["values"]
    if op == "between":
        return node["low"] <= value <= node["high"]
    literal = node["value"]
    return {
        "==": value == literal,
        "!=": value != literal,
        "<": value < literal,
        "<=": value <= literal,
        ">": value > literal,
        ">=": value >= literal,
    }[op]


@PROPERTY
@given(WIDE_TREES)
def test_text_round_trip_gives_back_the_tree(tree: Tree) -> None:
    text = to_text(tree)
    assert parse_text(text, SCHEMA) == tree
    assert validate_tree(tree, SCHEMA) == tree
    assert to_text(parse_text(text, SCHEMA)) == text
    assert describe(tree)


@PROPERTY
@given(SMALL_TREES, frames())
def test_not_negates_the_mask(tree: Tree, data: tuple[pd.DataFrame, Any]) -> None:
    frame, _ = data
    inner = evaluate(tree, frame, SCHEMA)
    if tree_depth(tree) < 8:
        negated = evaluate({"op": "not", "arg": tree}, frame, SCHEMA)
        assert np.array_equal(negated, ~inner)


@PROPERTY
@given(SMALL_TREES, SMALL_TREES, frames())
def test_and_or_are_elementwise(a: Tree, b: Tree, data: tuple[pd.DataFrame, Any]) -> None:
    frame, _ = data
    if max(tree_depth(a), tree_depth(b)) >= 8 or tree_size(a) + tree_size(b) >= 64:
        return
    ea, eb = evaluate(a, frame, SCHEMA), evaluate(b, frame, SCHEMA)
    assert np.array_equal(evaluate({"op": "and", "args": [a, b]}, frame, SCHEMA), ea & eb)
    assert np.array_equal(evaluate({"op": "or", "args": [a, b]}, frame, SCHEMA), ea | eb)


@PROPERTY
@given(st.one_of(st.just({"op": "all"}), SMALL_TREES), frames())
def test_evaluate_agrees_with_a_per_row_reference(tree: Tree, data: tuple[pd.DataFrame, Any]) -> None:
    frame, rows = data
    got = evaluate(tree, frame, SCHEMA)
    assert got.tolist() == [reference(tree, row) for row in rows]


@PROPERTY
@given(st.text(max_size=40), st.sampled_from(['"', "'", "`"]))
def test_quoting_round_trips_any_string(value: str, mark: str) -> None:
    text = quote(value, mark)
    assert read_quoted(text, 0) == (value, len(text))
    assert len(tokenize(text)) == 2


@PROPERTY
@given(st.text(alphabet=st.sampled_from(list("age sx=<>!()[],'\"`\\0123456789.-eEinotdrl")), max_size=60))
def test_any_text_parses_or_is_refused_as_an_invalid_group(text: str) -> None:
    try:
        tree = parse_text(text, SCHEMA)
    except EngineError as error:
        assert error.reason is Reason.INVALID_GROUP
    else:
        assert parse_text(to_text(tree), SCHEMA) == tree
