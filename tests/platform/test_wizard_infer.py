"""Schema inference, reading uploaded tables, one-file splits and the pre-flight formula."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounty.errors import DomainError
from bounty.wizard.files import read_table, split_table
from bounty.wizard.infer import guess_column, guess_columns, guess_target, guess_target_name
from bounty.wizard.preflight import preflight, required_rows
from bounty.wizard.schema_build import ColumnChoice, TargetChoice, build_schema
from scoring.schema import Kind, Task


def text(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=object)


def test_numbers_are_numeric_and_missing_values_make_a_column_nullable() -> None:
    guess = guess_column("income", text(["1", "2.5", None, "-3e2"]))
    assert (guess.kind, guess.nullable, guess.role) == ("numeric", True, "feature")


def test_yes_no_and_zero_one_columns_are_boolean() -> None:
    assert guess_column("smoker", text(["yes", "No", "YES"])).kind == "boolean"
    assert guess_column("flag", text(["0", "1", "1"])).kind == "boolean"
    assert guess_column("n", text(["0", "1", "2"])).kind == "numeric"


def test_text_is_categorical_with_its_sorted_values() -> None:
    guess = guess_column("sex", text(["Male", "Female", "Male"]))
    assert (guess.kind, guess.categories, guess.nullable) == (
        "categorical",
        ["Female", "Male"],
        False,
    )
    assert guess.attribute  # a demographic name is proposed as a report attribute


def test_an_identifier_column_is_ignored_by_default() -> None:
    guess = guess_column("customer", text([f"id-{i}" for i in range(50)]))
    assert guess.role == "ignore" and not guess.attribute


def test_target_task_is_inferred_from_its_values() -> None:
    assert guess_target(text(["<=50K", ">50K"])).task is Task.BINARY
    assert guess_target(text(["1", "0", "1"])).classes == ("0", "1")
    multi = guess_target(text(["2", "10", "1", "2"]))
    assert (multi.task, multi.classes) == (Task.MULTICLASS, ("1", "2", "10"))
    assert guess_target(text(["a", "b", "c"])).task is Task.MULTICLASS
    regression = guess_target(text([str(v) for v in np.linspace(0, 100, 50)]))
    assert (regression.task, regression.target_range) == (Task.REGRESSION, (0.0, 100.0))


def test_target_name_prefers_a_column_called_target_or_label() -> None:
    assert guess_target_name(["a", "label", "b"]) == "label"
    assert guess_target_name(["a", "b", "income"]) == "income"


def test_build_schema_fills_blank_categories_classes_and_range_from_the_data() -> None:
    data = pd.DataFrame({"sex": ["F", "M", "F"], "age": ["30", "40", None], "y": ["no", "yes", "no"]})
    columns = [
        ColumnChoice("sex", "feature", "categorical", False, True),
        ColumnChoice("age", "feature", "numeric", True, False),
        ColumnChoice("y", "feature", "categorical", False, False),
    ]
    schema = build_schema(data, columns, TargetChoice("y", "auto"))
    assert schema.feature_names == ["sex", "age"] and schema.column("sex").categories == ("F", "M")
    assert (schema.task, schema.classes, schema.attributes) == (
        Task.BINARY,
        ("no", "yes"),
        ("sex",),
    )
    regression = build_schema(data.assign(y=["1.5", "2", "9"]), columns, TargetChoice("y", "regression"))
    assert regression.target_range == (1.5, 9.0)
    ignored = [ColumnChoice("sex", "ignore", "categorical", False, True), *columns[1:]]
    assert build_schema(data, ignored, TargetChoice("y", "auto")).feature_names == ["age"]


def test_build_schema_refuses_a_schema_without_features() -> None:
    data = pd.DataFrame({"y": ["a", "b"]})
    with pytest.raises(DomainError, match="feature"):
        build_schema(
            data,
            [ColumnChoice("y", "feature", "categorical", False, False)],
            TargetChoice("y", "auto"),
        )


def test_guessed_columns_validate_the_data_they_came_from() -> None:
    from bounty.demo import synthetic_frame

    frame = synthetic_frame(n=300, seed=3).astype(str)
    guesses = guess_columns(frame)
    choices = [
        ColumnChoice(g.name, g.role, g.kind, g.nullable, g.attribute, tuple(g.categories)) for g in guesses
    ]
    schema = build_schema(frame, choices, TargetChoice("income", "auto"))
    assert schema.validate(frame, with_target=True) == []
    assert schema.column("age").kind is Kind.NUMERIC


def test_read_table_keeps_values_as_text_and_names_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("a,b\n01,x\n,y\n")
    frame = read_table(good, label="the train file", max_rows=10, max_columns=5)
    assert frame["a"].iloc[0] == "01" and pd.isna(frame["a"].iloc[1])
    bad = {
        "dup.csv": ("a,a\n1,2\n", "repeats the column name 'a'"),
        "latin.csv": ("a\ncafé\n".encode("latin-1"), "not UTF-8"),
        "empty.csv": ("", "header row"),
        "long.csv": ("a\n" + "1\n" * 20, "limit is 10"),
    }
    for name, (content, message) in bad.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(DomainError, match=message) as caught:
            read_table(path, label="the train file", max_rows=10, max_columns=5)
        assert caught.value.message.startswith("The train file")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=3, max_value=400),
    st.tuples(*[st.integers(min_value=1, max_value=98)] * 3),
    st.integers(min_value=0, max_value=2**31 - 1),
)
def test_split_table_is_a_seeded_partition_by_the_shares(
    n: int, shares: tuple[int, int, int], seed: int
) -> None:
    frame = pd.DataFrame({"row": [str(i) for i in range(n)]})
    try:
        parts = split_table(frame, shares, seed)
    except DomainError:
        return  # a share rounds to zero rows: refused, never an empty split
    rows = sorted(int(r) for p in parts.values() for r in p["row"])
    assert rows == list(range(n))
    total = sum(shares)
    for name, share in zip(("train", "holdout", "confirmation"), shares, strict=True):
        assert abs(len(parts[name]) - n * share / total) <= 1.0 + 1e-9
    again = split_table(frame, shares, seed)
    assert all(again[k].equals(parts[k]) for k in parts)


def test_required_rows_follow_the_hoeffding_bonferroni_formula() -> None:
    alpha, budget, delta = 0.01, 500, 0.05
    assert required_rows(alpha, budget, delta) == math.ceil(2 * math.log(2 * budget / delta) / alpha**2)
    check = preflight(holdout_rows=1500, alpha=alpha, mu_min=0.02, budget=budget, delta=delta)
    assert not check.enough and check.min_group_rows == 30 and check.max_nodes == 100
    assert check.smallest_alpha == pytest.approx(math.sqrt(2 * math.log(2 * budget / delta) / 1500))
    assert check.suggested_z == pytest.approx(3.719, abs=1e-3)  # normal quantile of 1 - 0.05 / 500
    assert preflight(holdout_rows=check.required_rows, alpha=alpha, mu_min=0.02, budget=budget).enough


def test_required_rows_grow_with_the_budget_and_shrink_with_alpha() -> None:
    assert required_rows(0.01, 1000) > required_rows(0.01, 10)
    assert required_rows(0.02, 100) < required_rows(0.01, 100)
    with pytest.raises(ValueError):
        required_rows(0.0, 10)
