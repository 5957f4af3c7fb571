"""The schema: validation names the column and row; the canonical form is stable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from scoring.errors import EngineError
from scoring.schema import Column, Kind, Schema, Task

SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("sex", Kind.CATEGORICAL, ("Female", "Male")),
        Column("smoker", Kind.BOOLEAN),
    ),
    target="y",
    task=Task.BINARY,
    classes=("no", "yes"),
    attributes=("sex",),
)


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [30, None, 70],
            "sex": ["Male", "Female", None],
            "smoker": ["true", False, None],
            "y": ["no", "yes", "no"],
        }
    )


def test_canonical_form_has_the_documented_dtypes() -> None:
    out = SCHEMA.coerce(frame())
    assert out["age"].dtype == np.float64
    assert list(out["sex"].cat.categories) == ["Female", "Male"]
    assert out["smoker"].tolist()[:2] == [1.0, 0.0] and np.isnan(out["smoker"].iloc[2])


def test_coercing_a_canonical_frame_changes_nothing() -> None:
    once = SCHEMA.coerce(frame())
    pdt.assert_frame_equal(SCHEMA.coerce(once), once)


def test_validation_names_the_column_and_row_of_a_bad_value() -> None:
    bad = frame()
    bad.loc[2, "sex"] = "Unknown"
    (issue,) = SCHEMA.validate(bad)
    assert (issue.column, issue.row) == ("sex", 2) and "not allowed" in issue.message


def test_a_missing_column_and_a_bad_target_are_both_reported() -> None:
    bad = frame().drop(columns=["age"])
    bad.loc[0, "y"] = "maybe"
    issues = SCHEMA.validate(bad, with_target=True)
    assert {(i.column, i.message) for i in issues} == {
        ("age", "missing column"),
        ("y", "unknown class 'maybe'"),
    }


def test_targets_encode_to_class_codes_in_schema_order() -> None:
    assert SCHEMA.encode_target(frame()["y"]).tolist() == [0, 1, 0]


def test_schema_round_trips_through_json() -> None:
    assert Schema.from_json(SCHEMA.to_json()) == SCHEMA
    regression = Schema((Column("x", Kind.NUMERIC),), "t", Task.REGRESSION, target_range=(0.0, 5.0))
    assert Schema.from_json(regression.to_json()) == regression


@pytest.mark.parametrize(
    "bad",
    [
        {"columns": [], "target": "y", "task": "binary", "classes": ["a", "b"]},
        {
            "columns": [{"name": "y", "kind": "numeric"}],
            "target": "y",
            "task": "binary",
            "classes": ["a", "b"],
        },
        {"columns": [{"name": "x", "kind": "numeric"}], "target": "y", "task": "binary", "classes": ["a"]},
        {"columns": [{"name": "x", "kind": "numeric"}], "target": "y", "task": "regression"},
        {
            "columns": [{"name": "x", "kind": "categorical"}],
            "target": "y",
            "task": "binary",
            "classes": ["a", "b"],
        },
        {
            "columns": [{"name": "x", "kind": "numeric"}],
            "target": "y",
            "task": "binary",
            "classes": ["a", "b"],
            "attributes": ["z"],
        },
    ],
)
def test_structurally_wrong_schemas_are_refused(bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(EngineError):
        Schema.from_json(bad)
