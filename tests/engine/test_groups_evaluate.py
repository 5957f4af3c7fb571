"""evaluate: vectorised group masks on canonical frames, with the documented null semantics."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from scoring.errors import EngineError, Reason
from scoring.groups import evaluate, parse_text
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
RAW = pd.DataFrame(
    {
        "age": [20, 35, None, 60, 75, 40],
        "sex": ["Female", "Male", "Female", None, "Male", "Female"],
        "race": ["White", "Black", None, "Asian", "White", "Black"],
        "is_smoker": ["true", "false", "true", None, "no", "yes"],
    }
)
FRAME = SCHEMA.coerce(RAW)


def mask(text: str, frame: pd.DataFrame = FRAME) -> list[bool]:
    out = evaluate(parse_text(text, SCHEMA), frame, SCHEMA)
    assert out.dtype == np.bool_
    assert out.shape == (len(frame),)
    return out.tolist()


T, F = True, False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age == 35", [F, T, F, F, F, F]),
        ("age != 35", [T, F, F, T, T, T]),
        ("age < 40", [T, T, F, F, F, F]),
        ("age <= 40", [T, T, F, F, F, T]),
        ("age > 40", [F, F, F, T, T, F]),
        ("age >= 40", [F, F, F, T, T, T]),
        ("age between 35 and 60", [F, T, F, T, F, T]),
        ("age in [20, 75, 99]", [T, F, F, F, T, F]),
        ("age not in [20, 75]", [F, T, F, T, F, T]),
        ("age is null", [F, F, T, F, F, F]),
        ("age is not null", [T, T, F, T, T, T]),
        ('sex == "Female"', [T, F, T, F, F, T]),
        ('sex != "Female"', [F, T, F, F, T, F]),
        ('race in ["White", "Asian"]', [T, F, F, T, T, F]),
        ('race not in ["White", "Asian"]', [F, T, F, F, F, T]),
        ("race is null", [F, F, T, F, F, F]),
        ("race is not null", [T, T, F, T, T, T]),
        ("is_smoker == true", [T, F, T, F, F, T]),
        ("is_smoker != true", [F, T, F, F, T, F]),
        ("is_smoker in [false]", [F, T, F, F, T, F]),
        ("is_smoker not in [false]", [T, F, T, F, F, T]),
        ("is_smoker is null", [F, F, F, T, F, F]),
        ("all", [T, T, T, T, T, T]),
    ],
)
def test_each_operator_on_a_frame_with_missing_values(text: str, expected: list[bool]) -> None:
    assert mask(text) == expected


def test_comparisons_are_false_on_missing_values_but_not_negates_plainly() -> None:
    assert mask("age >= 60") == [F, F, F, T, T, F]
    assert mask("not (age >= 60)") == [T, T, T, F, F, T]
    assert mask("age < 60") == [T, T, F, F, F, T]
    assert mask('not sex == "Female"') == [F, T, F, T, T, F]


def test_combinators() -> None:
    assert mask('age >= 40 and sex == "Male"') == [F, F, F, F, T, F]
    assert mask('age >= 70 or race == "Black"') == [F, T, F, F, T, T]
    assert mask('(age < 30 or age > 70) and not race is null and sex != "Female"') == [
        F,
        F,
        F,
        F,
        T,
        F,
    ]


def test_categoricals_compare_on_codes_whatever_the_index() -> None:
    shuffled = FRAME.iloc[[5, 4, 3, 2, 1, 0]].set_axis([10, 11, 12, 13, 14, 15])
    assert mask('race == "Black" and sex == "Female"', shuffled) == [T, F, F, F, F, F]


def test_empty_frame_gives_an_empty_mask() -> None:
    assert mask('age > 1 and sex == "Male"', FRAME.iloc[:0]) == []
    assert mask("all", FRAME.iloc[:0]) == []


def test_validates_the_tree_before_evaluating() -> None:
    with pytest.raises(EngineError) as info:
        evaluate({"col": "agee", "op": ">", "value": 1}, FRAME, SCHEMA)
    assert info.value.reason is Reason.INVALID_GROUP
    assert evaluate({"col": "age", "op": ">", "value": 50}, FRAME, SCHEMA).sum() == 2


def test_refuses_frames_not_in_canonical_form() -> None:
    tree = parse_text('sex == "Male"', SCHEMA)
    with pytest.raises(EngineError) as info:
        evaluate(tree, RAW, SCHEMA)
    assert info.value.reason is Reason.SCHEMA_MISMATCH
    with pytest.raises(EngineError) as missing:
        evaluate(tree, FRAME.drop(columns=["sex"]), SCHEMA)
    assert missing.value.reason is Reason.SCHEMA_MISMATCH
    assert missing.value.field == "sex"


def test_is_fast_and_right_on_a_million_rows() -> None:
    n = 1_000_000
    rng = np.random.default_rng(7)
    age = rng.uniform(0, 100, n)
    age[rng.random(n) < 0.1] = np.nan
    codes = rng.integers(-1, 3, n)
    frame = pd.DataFrame(
        {
            "age": age,
            "sex": pd.Categorical.from_codes(rng.integers(-1, 2, n), categories=["Female", "Male"]),
            "race": pd.Categorical.from_codes(codes, categories=["White", "Black", "Asian"]),
            "is_smoker": rng.integers(0, 2, n).astype(float),
        }
    )
    tree = parse_text(
        'age >= 60 and not race in ["White"] or age between 10 and 12 or is_smoker == true', SCHEMA
    )
    start = time.perf_counter()
    got = evaluate(tree, frame, SCHEMA)
    elapsed = time.perf_counter() - start
    with np.errstate(invalid="ignore"):
        want = ((age >= 60) & (codes != 0)) | ((age >= 10) & (age <= 12))
    want |= frame["is_smoker"].to_numpy() == 1.0
    assert np.array_equal(got, want)
    assert elapsed < 2.0
