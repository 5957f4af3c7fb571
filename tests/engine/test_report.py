"""Disaggregated reports (scoring.report): metrics by attribute group, suppression and rounding."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.report import (
    Report,
    attribute_usage,
    disaggregate,
    node_coverage,
    quantile_edges,
)
from scoring.schema import Column, Kind, Schema, Task

BINARY = Schema(
    columns=(
        Column("sex", Kind.CATEGORICAL, categories=("Female", "Male", "Other")),
        Column("age", Kind.NUMERIC),
        Column("member", Kind.BOOLEAN),
    ),
    target="y",
    task=Task.BINARY,
    classes=("no", "yes"),
    attributes=("sex", "age", "member"),
)


def frame_of(sex: list[str | None], age: list[float], member: list[float]) -> pd.DataFrame:
    return BINARY.coerce(pd.DataFrame({"sex": sex, "age": age, "member": member}))


def test_error_and_rates_per_group_are_exact_counts() -> None:
    # 40 women: 20 negatives (5 predicted positive), 20 positives (4 predicted negative).
    y = np.array([0] * 20 + [1] * 20 + [0] * 40)
    pred = np.array([1] * 5 + [0] * 15 + [0] * 4 + [1] * 16 + [0] * 40)
    frame = frame_of(["Female"] * 40 + ["Male"] * 40, [30.0] * 80, [1.0] * 80)
    report = disaggregate(frame=frame, schema=BINARY, labels=y, predictions={"m": pred}, min_size=10)
    women = next(g for g in report.groups if g.attribute == "sex" and g.group == "Female")
    assert women.metrics["m"] == {"error": round(9 / 40, 3), "fpr": 0.25, "fnr": 0.2}
    assert women.share == 0.5
    men = next(g for g in report.groups if g.group == "Male")
    assert men.metrics["m"]["fnr"] is None  # no positives among men: no rate
    assert report.overall["m"]["error"] == round(9 / 80, 3)


def test_groups_below_minimum_size_are_left_out_entirely() -> None:
    n = 100
    sex = ["Female"] * 70 + ["Male"] * 25 + ["Other"] * 5
    frame = frame_of(sex, list(np.linspace(20, 70, n)), [0.0] * n)
    y = np.zeros(n, dtype=np.int64)
    report = disaggregate(frame=frame, schema=BINARY, labels=y, predictions={"m": y}, min_size=30)
    names = {(g.attribute, g.group) for g in report.groups}
    assert ("sex", "Female") in names
    assert ("sex", "Male") not in names and ("sex", "Other") not in names
    text = json.dumps(report.to_json())
    assert "Other" not in text and "Male" not in text  # not even as a count


def test_rate_with_a_small_denominator_is_hidden() -> None:
    y = np.array([1] * 5 + [0] * 45)
    frame = frame_of(["Female"] * 50, [40.0] * 50, [1.0] * 50)
    report = disaggregate(frame=frame, schema=BINARY, labels=y, predictions={"m": y}, min_size=10)
    women = next(g for g in report.groups if g.group == "Female")
    assert women.metrics["m"]["fnr"] is None and women.metrics["m"]["fpr"] == 0.0


def test_probabilities_are_read_as_their_most_likely_class() -> None:
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]] * 10)
    y = np.array([0, 1, 1, 1] * 10)
    frame = frame_of(["Female"] * 40, [30.0] * 40, [1.0] * 40)
    report = disaggregate(frame=frame, schema=BINARY, labels=y, predictions={"p": proba}, min_size=5)
    assert report.overall["p"]["error"] == 0.25


def test_numeric_attributes_are_binned_at_the_given_cut_points() -> None:
    ages = [20.0] * 30 + [40.0] * 30 + [np.nan] * 30
    frame = frame_of(["Female"] * 90, ages, [1.0] * 90)
    y = np.zeros(90, dtype=np.int64)
    report = disaggregate(
        frame=frame, schema=BINARY, labels=y, predictions={"m": y}, min_size=30, edges={"age": [30]}
    )
    assert [g.group for g in report.groups_of("age")] == ["below 30", "30 or more", "missing"]
    assert [g.group for g in report.groups_of("member")] == ["yes"]


def test_regression_reports_mean_squared_error() -> None:
    schema = Schema(
        columns=(Column("region", Kind.CATEGORICAL, categories=("n", "s")),),
        target="v",
        task=Task.REGRESSION,
        target_range=(0.0, 10.0),
        attributes=("region",),
    )
    frame = schema.coerce(pd.DataFrame({"region": ["n"] * 40 + ["s"] * 40}))
    y = np.zeros(80)
    pred = np.array([1.0] * 40 + [3.0] * 40)
    report = disaggregate(frame=frame, schema=schema, labels=y, predictions={"m": pred}, min_size=10)
    assert report.metrics == ("mse",)
    assert [g.metrics["m"]["mse"] for g in report.groups] == [1.0, 9.0]
    assert report.overall["m"]["mse"] == 5.0


def test_multiclass_rates_are_one_vs_rest_averages() -> None:
    schema = Schema(
        columns=(Column("g", Kind.CATEGORICAL, categories=("a",)),),
        target="y",
        task=Task.MULTICLASS,
        classes=("x", "y", "z"),
        attributes=("g",),
    )
    y = np.repeat([0, 1, 2], 20)
    pred = y.copy()
    pred[:10] = 1  # half of class x predicted as y
    frame = schema.coerce(pd.DataFrame({"g": ["a"] * 60}))
    report = disaggregate(frame=frame, schema=schema, labels=y, predictions={"m": pred}, min_size=10)
    figures = report.overall["m"]
    assert figures["fnr"] == round((0.5 + 0 + 0) / 3, 3)
    assert figures["fpr"] == round((0 + 10 / 40 + 0) / 3, 3)


def test_report_round_trips_through_json() -> None:
    y = np.array([0, 1] * 30)
    frame = frame_of(["Female", "Male"] * 30, [30.0] * 60, [1.0, 0.0] * 30)
    report = disaggregate(frame=frame, schema=BINARY, labels=y, predictions={"a": y, "b": 1 - y}, min_size=5)
    again = Report.from_json(json.loads(json.dumps(report.to_json())))
    assert again == report


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["Female", "Male", "Other", None]), min_size=1, max_size=120),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_every_shown_figure_is_rounded_and_every_shown_group_is_large_enough(
    sex: list[str | None], min_size: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    n = len(sex)
    frame = frame_of(sex, list(rng.integers(18, 90, n).astype(float)), list(rng.integers(0, 2, n) * 1.0))
    y = rng.integers(0, 2, n)
    report = disaggregate(
        frame=frame,
        schema=BINARY,
        labels=y,
        predictions={"m": rng.integers(0, 2, n)},
        min_size=min_size,
    )
    for group in report.groups:
        values = [group.share, *group.metrics["m"].values()]
        assert all(v is None or v == round(v, 3) for v in values)
    sizes = pd.Series(sex, dtype=object).fillna("missing").value_counts().to_dict()
    assert {g.group for g in report.groups_of("sex")} == {k for k, v in sizes.items() if v >= min_size}


def test_minimum_size_must_be_positive() -> None:
    frame = frame_of(["Female"], [1.0], [1.0])
    with pytest.raises(ValueError):
        disaggregate(frame=frame, schema=BINARY, labels=np.zeros(1), predictions={}, min_size=0)


def test_quantile_edges_are_rounded_and_inside_the_data() -> None:
    values = pd.Series(np.arange(17, 91, dtype=float))
    edges = quantile_edges(values)
    assert edges == sorted(edges) and len(edges) == 3
    assert all(17 < e <= 90 for e in edges)
    assert all(e == float(f"{e:.2g}") for e in edges)
    assert quantile_edges(pd.Series([np.nan, np.nan])) == []


def test_node_coverage_counts_each_nodes_group_and_what_a_rollback_restores() -> None:
    nodes = [
        ("update", np.arange(0, 10), None),
        ("repair", np.arange(5, 15), 0),
        ("rollback", np.arange(0, 100), 1),
    ]
    coverage = node_coverage(nodes, 100)
    assert [(c.version, c.share, c.reach) for c in coverage] == [
        (1, 0.1, 0.1),
        (2, 0.1, 0.15),
        (3, 1.0, 0.1),
    ]


def test_attribute_usage_counts_groups_per_team_and_attribute() -> None:
    sex_and_age = {"op": "and", "args": [{"col": "sex", "op": "in", "values": ["Female"]},
                                         {"col": "age", "op": ">=", "value": 60}]}  # fmt: skip
    hours = {"col": "hours", "op": ">", "value": 40}
    teams, columns, counts = attribute_usage(
        [
            ("b", sex_and_age),
            ("a", hours),
            ("b", {"col": "sex", "op": "in", "values": ["Male"]}),
            ("a", None),
        ],
        ["sex", "age", "race"],
    )
    assert teams == ["a", "b"]
    assert columns == ["sex", "age", "race", "other features", "group model"]
    assert counts == [[0, 0, 0, 1, 1], [2, 1, 0, 0, 0]]
