"""to_text (canonical text form) and describe (plain words for the leaderboard)."""

from __future__ import annotations

import pytest

from scoring.groups import describe, parse_text, to_text
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine

SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("capital_gain", Kind.NUMERIC),
        Column("sex", Kind.CATEGORICAL, ("Female", "Male")),
        Column("race", Kind.CATEGORICAL, ("White", "Black", "Asian", 'Say "hi"\n')),
        Column("is_smoker", Kind.BOOLEAN),
        Column("weird col", Kind.NUMERIC),
        Column("Or", Kind.NUMERIC),
    ),
    target="label",
    task=Task.BINARY,
    classes=("no", "yes"),
)


def canonical(text: str) -> str:
    return to_text(parse_text(text, SCHEMA))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "age>=60 AND sex=='Female' and not race in ['White']",
            'age >= 60 and sex == "Female" and not (race in ["White"])',
        ),
        ("age between 30.0 and 4e1", "age between 30 and 40"),
        ("age > 0.1 or age < -1e20", "age > 0.1 or age < -1e+20"),
        ("age == 12345678901234567", "age == 1.2345678901234568e+16"),
        ("capital_gain IS NULL", "capital_gain is null"),
        ("race in ['Asian', 'White', 'Asian']", 'race in ["White", "Asian"]'),
        ("is_smoker == TRUE", "is_smoker == true"),
        ("`weird col` != 2", "`weird col` != 2"),
        ("`Or` is not null", "`Or` is not null"),
        ("race == 'Say \"hi\"\\n'", 'race == "Say \\"hi\\"\\n"'),
        ("everyone", "all"),
        ("(age > 1 or age < 0) and (sex == 'Male')", '(age > 1 or age < 0) and sex == "Male"'),
        ("(age > 1 and age < 5) and age != 3", "(age > 1 and age < 5) and age != 3"),
        ("age > 1 and age < 5 or age == 9", "(age > 1 and age < 5) or age == 9"),
    ],
)
def test_to_text_writes_the_canonical_form(text: str, expected: str) -> None:
    assert canonical(text) == expected
    assert canonical(expected) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            'age >= 60 and sex == "Female" and not (race in ["White"])',
            "age is at least 60, sex is Female, and race is not White",
        ),
        ("age between 30 and 40", "age between 30 and 40"),
        ("not age between 30 and 40", "age not between 30 and 40"),
        ("capital_gain is null", "capital gain is missing"),
        ("capital_gain is not null", "capital gain is not missing"),
        ("not capital_gain is null", "capital gain is not missing"),
        ("all", "everyone"),
        ("age < 18 or age > 65.5", "age is below 18 or age is above 65.5"),
        ("age <= 18 and not age > 3", "age is at most 18 and age is not above 3"),
        ('race in ["White", "Black"]', "race is one of White or Black"),
        ('race in ["White", "Black", "Asian"]', "race is one of White, Black, or Asian"),
        ('race not in ["White", "Black"]', "race is neither White nor Black"),
        ('race not in ["White", "Black", "Asian"]', "race is none of White, Black, and Asian"),
        ('not race not in ["Black"]', "race is Black"),
        ('sex != "Male"', "sex is not Male"),
        ("is_smoker == true", "is smoker is true"),
        (
            'not (age > 1 and sex == "Male") or `weird col` == 0',
            "not (age is above 1 and sex is Male) or weird col is 0",
        ),
        (
            "(age > 1 or age < 0) and sex == 'Male'",
            "(age is above 1 or age is below 0) and sex is Male",
        ),
    ],
)
def test_describe_reads_as_plain_words(text: str, words: str) -> None:
    assert describe(parse_text(text, SCHEMA)) == words
