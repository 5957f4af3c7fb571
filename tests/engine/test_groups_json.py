"""A group given as JSON text: any text or JSON value is either a valid group or refused as an invalid
group naming the cause, never another exception; depth is a stated limit measured before parsing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.errors import EngineError, Reason
from scoring.groups import MAX_JSON_DEPTH, loads_tree, validate_tree
from scoring.jsonlimits import json_depth
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine

SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("sex", Kind.CATEGORICAL, ("Female", "Male")),
        Column("smoker", Kind.BOOLEAN),
    ),
    target="y",
    task=Task.BINARY,
    classes=("0", "1"),
)
KEYS = st.sampled_from(["op", "col", "value", "values", "low", "high", "arg", "args", "x"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["and", "or", "not", "all", "==", "in", "between", ">=", "is null", "age", "sex", "Male"]
    ),
    st.text(max_size=8),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=40,
)


def nested(depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = {"col": "age", "op": ">=", "value": 1}
    for _ in range(depth - 1):
        tree = {"op": "not", "arg": tree}
    return tree


def deep_text(depth: int) -> str:
    return (
        '{"op": "not", "arg": ' * (depth - 1) + '{"col": "age", "op": ">=", "value": 1}' + "}" * (depth - 1)
    )


def valid_or_refused(call: Any) -> None:
    try:
        call()
    except EngineError as exc:
        assert exc.reason is Reason.INVALID_GROUP and exc.message


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES)
def test_any_json_value_is_a_valid_group_or_an_invalid_group_refusal(value: Any) -> None:
    valid_or_refused(lambda: validate_tree(value, SCHEMA))
    valid_or_refused(lambda: validate_tree(loads_tree(json.dumps(value)), SCHEMA))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]":,0123456789 nulltrefasop\\', max_size=200))
def test_any_text_is_a_valid_group_or_an_invalid_group_refusal(text: str) -> None:
    valid_or_refused(lambda: validate_tree(loads_tree(text), SCHEMA))


def test_a_group_nested_1500_deep_is_refused_with_its_depth_and_the_limit_before_parsing() -> None:
    with pytest.raises(EngineError) as caught:
        loads_tree(deep_text(1500))
    assert caught.value.reason is Reason.INVALID_GROUP
    assert caught.value.message == f"The group is nested 1,500 levels deep; the limit is {MAX_JSON_DEPTH}."
    with pytest.raises(EngineError, match="nested too deeply"):  # as a value, the validator stops early
        validate_tree(nested(1500), SCHEMA)


def test_bracket_depth_ignores_brackets_inside_strings_and_counts_arrays_and_objects() -> None:
    assert json_depth('{"a": "[[[{{{", "b": [[1]]}') == 3
    assert json_depth('"\\"[["') == 0
    assert json_depth("[" * 5000) == 5000  # counted without recursion


def test_the_json_limit_admits_every_tree_the_validator_admits() -> None:
    deepest = {"op": "and", "args": [nested(1), nested(1)]}
    for _ in range(6):  # 8 levels: 7 combinators over a leaf, the validator's most
        deepest = {"op": "and", "args": [deepest, nested(1)]}
    text = json.dumps(deepest)
    assert validate_tree(loads_tree(text), SCHEMA)
    assert json_depth(text) <= MAX_JSON_DEPTH
