"""parse_text: the hand-written tokenizer and recursive-descent parser of the group text form."""

from __future__ import annotations

import pytest

from scoring.errors import EngineError, Reason
from scoring.groups import MAX_TEXT, parse_text
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine

SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("capital_gain", Kind.NUMERIC),
        Column("hours-per-week", Kind.NUMERIC),
        Column("sex", Kind.CATEGORICAL, ("Female", "Male")),
        Column("race", Kind.CATEGORICAL, ("White", "Black", 'Other "race"\\x')),
        Column("native_country", Kind.CATEGORICAL, ("United-States", "Mexico", "India")),
        Column("is_smoker", Kind.BOOLEAN),
        Column("weird col", Kind.NUMERIC),
        Column("between", Kind.NUMERIC),
    ),
    target="label",
    task=Task.BINARY,
    classes=("no", "yes"),
)

AGE_60 = {"col": "age", "op": ">=", "value": 60.0}
FEMALE = {"col": "sex", "op": "==", "value": "Female"}
WHITE = {"col": "race", "op": "in", "values": ["White"]}


def parse(text: str) -> dict:
    return parse_text(text, SCHEMA)


def refused(text: object) -> EngineError:
    with pytest.raises(EngineError) as info:
        parse_text(text, SCHEMA)  # type: ignore[arg-type]
    assert info.value.reason is Reason.INVALID_GROUP
    return info.value


def test_parses_the_example_from_the_brief() -> None:
    tree = parse('age >= 60 and sex == "Female" and not (race in ["White"])')
    assert tree == {"op": "and", "args": [AGE_60, FEMALE, {"op": "not", "arg": WHITE}]}


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("age between 30 and 40", {"col": "age", "op": "between", "low": 30.0, "high": 40.0}),
        ("capital_gain is null", {"col": "capital_gain", "op": "is null"}),
        ("capital_gain IS NOT NULL", {"col": "capital_gain", "op": "is not null"}),
        (
            'native_country not in ["United-States", "Mexico"]',
            {"col": "native_country", "op": "not in", "values": ["United-States", "Mexico"]},
        ),
        ("is_smoker == true", {"col": "is_smoker", "op": "==", "value": True}),
        ("is_smoker != FALSE", {"col": "is_smoker", "op": "!=", "value": False}),
        ("age != 1", {"col": "age", "op": "!=", "value": 1.0}),
        ("age<1", {"col": "age", "op": "<", "value": 1.0}),
        ("age <= -2.5", {"col": "age", "op": "<=", "value": -2.5}),
        ("age > 1e3", {"col": "age", "op": ">", "value": 1000.0}),
        ("age >= .5E-2", {"col": "age", "op": ">=", "value": 0.005}),
        ("age == +7.", {"col": "age", "op": "==", "value": 7.0}),
        ("hours-per-week > 40", {"col": "hours-per-week", "op": ">", "value": 40.0}),
        ("`weird col` == 0", {"col": "weird col", "op": "==", "value": 0.0}),
        ("`between` is null", {"col": "between", "op": "is null"}),
        ("race in ['Black', 'White', 'Black',]", {"col": "race", "op": "in", "values": ["White", "Black"]}),
        ('race == "Other \\"race\\"\\\\x"', {"col": "race", "op": "==", "value": 'Other "race"\\x'}),
        ("race == 'Other \"race\"\\u005cx'", {"col": "race", "op": "==", "value": 'Other "race"\\x'}),
    ],
)
def test_parses_each_condition(text: str, tree: dict) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize("text", ["all", "everyone", "  ALL  ", "Everyone"])
def test_all_or_everyone_alone_means_every_row(text: str) -> None:
    assert parse(text) == {"op": "all"}


def test_and_binds_tighter_than_or() -> None:
    tree = parse('age >= 60 or sex == "Female" and is_smoker == true')
    assert tree["op"] == "or"
    assert tree["args"][0] == AGE_60
    assert tree["args"][1]["op"] == "and"


def test_parentheses_override_precedence_and_keep_their_node() -> None:
    tree = parse('(age >= 60 or sex == "Female") and is_smoker == true')
    assert tree["op"] == "and"
    assert tree["args"][0] == {"op": "or", "args": [AGE_60, FEMALE]}
    nested = parse('(age >= 60 and sex == "Female") and ((is_smoker == true))')
    assert nested["args"][0] == {"op": "and", "args": [AGE_60, FEMALE]}
    assert nested["args"][1] == {"col": "is_smoker", "op": "==", "value": True}


def test_chains_of_one_operator_become_one_node() -> None:
    tree = parse("age > 1 or age > 2 or age > 3")
    assert tree["op"] == "or"
    assert len(tree["args"]) == 3


def test_not_binds_to_the_next_condition_only() -> None:
    tree = parse('NOT age >= 60 And sex == "Female"')
    assert tree == {"op": "and", "args": [{"op": "not", "arg": AGE_60}, FEMALE]}
    assert parse("not not age >= 60") == {"op": "not", "arg": {"op": "not", "arg": AGE_60}}


def test_keywords_are_case_insensitive() -> None:
    tree = parse('age >= 60 AnD NoT sex == "Female"')
    assert tree == {"op": "and", "args": [AGE_60, {"op": "not", "arg": FEMALE}]}
    assert parse("age BETWEEN 1 AND 2")["op"] == "between"
    assert parse('race NOT IN ["White"]')["op"] == "not in"


def test_column_names_are_case_sensitive() -> None:
    assert refused("Age > 1").message == "unknown column 'Age' at column 1; did you mean 'age'?"


def test_text_can_span_lines() -> None:
    assert parse('age >= 60\n  and\tsex == "Female"') == {"op": "and", "args": [AGE_60, FEMALE]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('age >= 60 and race in ["White"]]', "unexpected ']' at column 32"),
        ("age >= ", "unexpected end of text at column 8"),
        ("age 60", "unexpected '60' at column 5; expected a comparison after column 'age'"),
        ("(age > 1", "unexpected end of text at column 9; expected ')'"),
        ("age > 1)", "unexpected ')' at column 8"),
        ("age > 1 and", "unexpected end of text at column 12"),
        ("and age > 1", "unexpected 'and' at column 1"),
        ('race in "White"', "unexpected text \"White\" at column 9; expected '['"),
        ('race in ["White"', "unexpected end of text at column 17; expected ',' or ']'"),
        ('race in ["White" "Black"]', 'unexpected text "Black" at column 18'),
        ("age between 1 or 2", "unexpected 'or' at column 15; expected 'and'"),
        ("age is nul", "unexpected 'nul' at column 8; expected 'null'"),
        ("age = 5", "unexpected '=' at column 5; use '=='"),
        ("age ! 5", "unexpected '!' at column 5"),
        ("age >= 60abc", "unexpected 'a' at column 10"),
        ("age >= 1.2.3", "unexpected '.' at column 11"),
        ("sex == Female", 'text values need quotes: "Female"'),
        ("age == null", "test for missing values with 'is null'"),
        ("age > 1 and\n  sex ==", "unexpected end of text at line 2, column 9"),
        ('sex == "Fem', "unterminated string starting at column 8"),
        ("`weird col == 1", "unterminated name starting at column 1"),
        ('sex == "a\\qb"', "unknown escape '\\q' at column 10"),
        ("all and age > 1", "'all' can only stand alone"),
        ("between > 1", "write `between` in backquotes"),
        ("age >= - 5", "unexpected character '-' at column 8"),
    ],
)
def test_syntax_errors_name_the_position(text: str, message: str) -> None:
    error = refused(text)
    assert message in error.message
    assert error.field == "text"


def test_unknown_column_names_position_and_suggestion() -> None:
    error = refused("age > 1 and agee > 5")
    assert error.message == "unknown column 'agee' at column 13; did you mean 'age'?"


def test_validation_errors_come_through() -> None:
    assert "did you mean 'Female'" in refused('sex == "female "').message
    assert "needs a numeric column" in refused('sex < "Male"').message
    assert "must be a number" in refused('age == "60"').message
    assert "finite number" in refused("age > 1e999").message
    assert "low <= high" in refused("age between 5 and 1").message
    assert "at least one value" in refused("race in []").message


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_rejects_empty_text(text: str) -> None:
    assert "empty" in refused(text).message


def test_caps_input_length() -> None:
    long = " or ".join(["age > 1"] * 1000)
    assert len(long) > MAX_TEXT
    assert f"at most {MAX_TEXT}" in refused(long).message
    assert "must be a string" in refused(123).message


def test_deep_nesting_is_refused_without_recursion_errors() -> None:
    assert "too many nested" in refused("(" * 1500 + "age > 1" + ")" * 1500).message
    assert "too many nested" in refused("not " * 900 + "age > 1").message
    assert "nested too deeply" in refused("not " * 9 + "age > 1").message


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('x')",
        "age >= 1; import os",
        "age >= 1 and __import__('os')",
        "age >= (1).__class__",
        "age >= 1 or exec('x')",
        "age >= open('/etc/passwd').read()",
        "lambda: 1",
        "age >= 1 # comment",
        "age >= 1 && sex == 'Male'",
        "{age >= 1}",
        "age >= 1\x00",
        "age >= @x",
        "age >= 0x10",
        "age >= 1_000",
        "sex == f'{1}'",
    ],
)
def test_code_injection_attempts_are_refused_as_parse_errors(text: str) -> None:
    assert refused(text).field == "text"
