"""validate_tree: structure, types, limits and normalization of JSON group trees."""

from __future__ import annotations

import math
from typing import Any

import pytest

from scoring.errors import EngineError, Reason
from scoring.groups import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_VALUES,
    columns_used,
    tree_depth,
    tree_size,
    validate_tree,
)
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine

SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("sex", Kind.CATEGORICAL, ("Female", "Male")),
        Column("race", Kind.CATEGORICAL, ("White", "Black", "Asian")),
        Column("is_smoker", Kind.BOOLEAN),
    ),
    target="label",
    task=Task.BINARY,
    classes=("no", "yes"),
)


def leaf(col: str = "age", op: str = ">=", value: Any = 60) -> dict[str, Any]:
    return {"col": col, "op": op, "value": value}


def refused(tree: object) -> EngineError:
    with pytest.raises(EngineError) as info:
        validate_tree(tree, SCHEMA)
    assert info.value.reason is Reason.INVALID_GROUP
    return info.value


def test_normalizes_integers_to_floats_on_numeric_columns() -> None:
    out = validate_tree(leaf(value=60), SCHEMA)
    assert out == {"col": "age", "op": ">=", "value": 60.0}
    assert isinstance(out["value"], float)


def test_deduplicates_and_sorts_values_in_schema_order() -> None:
    tree = {"col": "race", "op": "in", "values": ["Asian", "White", "Asian"]}
    assert validate_tree(tree, SCHEMA)["values"] == ["White", "Asian"]
    numbers = {"col": "age", "op": "not in", "values": [3, 1.5, 3.0, -2]}
    assert validate_tree(numbers, SCHEMA)["values"] == [-2.0, 1.5, 3.0]
    flags = {"col": "is_smoker", "op": "in", "values": [True, False, True]}
    assert validate_tree(flags, SCHEMA)["values"] == [False, True]


def test_returns_a_copy_and_leaves_the_input_alone() -> None:
    tree = {"op": "and", "args": [leaf(value=1), leaf("sex", "==", "Male")]}
    out = validate_tree(tree, SCHEMA)
    out["args"][0]["value"] = 99.0
    assert tree["args"][0]["value"] == 1


def test_accepts_every_operator() -> None:
    trees = [
        *(leaf(op=op, value=1) for op in ("==", "!=", "<", "<=", ">", ">=")),
        {"col": "sex", "op": "in", "values": ["Male"]},
        {"col": "sex", "op": "not in", "values": ["Male"]},
        {"col": "age", "op": "between", "low": 30, "high": 40},
        {"col": "age", "op": "between", "low": 30, "high": 30},
        {"col": "age", "op": "is null"},
        {"col": "race", "op": "is not null"},
        leaf("is_smoker", "!=", False),
        {"op": "not", "arg": leaf()},
        {"op": "or", "args": [leaf(), leaf(), leaf("sex", "==", "Female")]},
        {"op": "all"},
    ]
    for tree in trees:
        assert validate_tree(tree, SCHEMA)["op"] == tree["op"]


def test_unknown_column_suggests_the_closest_name() -> None:
    error = refused(leaf(col="agee"))
    assert error.message == "unknown column 'agee'; did you mean 'age'?"
    assert error.field == "col"


def test_unknown_category_suggests_the_closest_value() -> None:
    error = refused({"op": "and", "args": [leaf(), leaf("sex", "==", "femal")]})
    assert "'femal' is not a value of column 'sex'; did you mean 'Female'?" in error.message
    assert error.field == "args[1].value"


def test_unknown_category_without_a_close_match_lists_the_allowed_values() -> None:
    error = refused({"col": "race", "op": "in", "values": ["White", "Martian"]})
    assert "'White', 'Black', 'Asian'" in error.message
    assert error.field == "values[1]"


@pytest.mark.parametrize("value", [True, "60", None, [60], math.nan, math.inf, -math.inf, 10**400])
def test_rejects_non_numbers_bools_and_non_finite_values_on_numeric_columns(value: Any) -> None:
    error = refused({"op": "not", "arg": leaf(value=value)})
    assert error.field == "arg.value"


@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_boolean_columns_take_only_true_or_false(value: Any) -> None:
    error = refused(leaf("is_smoker", "==", value))
    assert "must be true or false" in error.message


@pytest.mark.parametrize("value", [1, True, None, ["Male"]])
def test_categorical_columns_take_only_text(value: Any) -> None:
    error = refused(leaf("sex", "==", value))
    assert "is categorical" in error.message


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_rejects_ordering_on_categorical_and_boolean_columns(op: str) -> None:
    error = refused(leaf("sex", op, "Male"))
    assert "needs a numeric column" in error.message
    assert error.field == "op"
    refused(leaf("is_smoker", op, True))
    refused({"col": "race", "op": "between", "low": "Asian", "high": "White"})


def test_between_needs_low_at_most_high() -> None:
    error = refused({"col": "age", "op": "between", "low": 40, "high": 30})
    assert "low <= high" in error.message
    assert error.field == "high"


def test_rejects_unknown_and_missing_keys() -> None:
    assert refused({**leaf(), "values": [1]}).field == "values"
    assert refused({"col": "age", "op": "between", "low": 1}).field == "high"
    assert refused({"op": "not", "args": [leaf()]}).field == "args"
    assert refused({"op": "all", "extra": 1}).field == "extra"


def test_rejects_malformed_structure() -> None:
    assert refused("age >= 60").field == "group"
    assert refused([leaf()]).field == "group"
    assert refused({"col": "age", "value": 1}).field == "op"
    assert "unknown op '=>'" in refused(leaf(op="=>")).message
    assert refused({"op": "and", "args": [leaf()]}).field == "args"
    assert refused({"op": "or", "args": leaf()}).field == "args"
    assert refused({"op": "and", "args": [leaf(), 7]}).field == "args[1]"
    assert refused({"col": 3, "op": "is null"}).field == "col"


def test_allows_all_only_at_the_root() -> None:
    error = refused({"op": "or", "args": [{"op": "all"}, leaf()]})
    assert error.field == "args[0]"
    refused({"op": "not", "arg": {"op": "all"}})


def test_rejects_empty_and_too_long_value_lists() -> None:
    assert "at least one value" in refused({"col": "age", "op": "in", "values": []}).message
    too_many = {"col": "age", "op": "in", "values": list(range(MAX_VALUES + 1))}
    assert f"at most {MAX_VALUES}" in refused(too_many).message
    assert validate_tree({**too_many, "values": list(range(MAX_VALUES))}, SCHEMA)


def test_rejects_string_literals_over_200_characters() -> None:
    error = refused(leaf("sex", "==", "M" * 201))
    assert "longer than 200" in error.message
    assert refused(leaf(col="a" * 5000)).field == "col"


def nested_nots(depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = leaf()
    for _ in range(depth - 1):
        tree = {"op": "not", "arg": tree}
    return tree


def test_depth_limit_is_eight_levels() -> None:
    assert tree_depth(validate_tree(nested_nots(MAX_DEPTH), SCHEMA)) == MAX_DEPTH
    error = refused(nested_nots(MAX_DEPTH + 1))
    assert "nested too deeply" in error.message


def test_deeply_nested_input_is_refused_without_recursion_errors() -> None:
    assert "nested too deeply" in refused(nested_nots(50_000)).message


def test_node_limit_is_sixty_four() -> None:
    at_limit = {"op": "and", "args": [leaf(value=i) for i in range(MAX_NODES - 1)]}
    assert tree_size(validate_tree(at_limit, SCHEMA)) == MAX_NODES
    over = {"op": "and", "args": [leaf(value=i) for i in range(MAX_NODES)]}
    assert "too many parts" in refused(over).message


def test_tree_size_depth_and_columns_used() -> None:
    tree = {
        "op": "or",
        "args": [
            {"op": "and", "args": [leaf(), {"op": "not", "arg": leaf("sex", "==", "Male")}]},
            {"col": "race", "op": "is null"},
        ],
    }
    assert tree_size(tree) == 6
    assert tree_depth(tree) == 4
    assert columns_used(tree) == {"age", "sex", "race"}
    assert tree_size({"op": "all"}) == 1
    assert tree_depth(leaf()) == 1
    assert columns_used({"op": "all"}) == set()
