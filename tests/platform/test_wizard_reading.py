"""Reading an organizer's file: values kept exactly, problems found with their rows, guesses, typing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bounty.errors import DomainError
from bounty.wizard.infer import attribute_hint, guess_columns, guess_target, merged
from bounty.wizard.prepare import SplitPlan, read_split, read_split_sample, split_labels, write_typed
from bounty.wizard.problems import check_choices, find_problems, unresolved
from bounty.wizard.reading import read_upload
from bounty.wizard.stats import FileStats
from scoring.schema import Column, Kind, Schema, Task


def read(tmp_path: Path, text: str | bytes, name: str = "data.csv", **options: str) -> FileStats:
    source = tmp_path / name
    source.write_bytes(text.encode() if isinstance(text, str) else text)
    return read_upload(
        source, tmp_path / f"{name}.parquet", label=name, max_rows=1000, max_columns=50, **options
    )


def raw(tmp_path: Path, name: str = "data.csv") -> pd.DataFrame:
    return pd.read_parquet(tmp_path / f"{name}.parquet")


def test_values_are_kept_exactly_whatever_the_delimiter_quotes_and_bom(tmp_path: Path) -> None:
    text = '\ufeffjob;note;n\n"Handlers, etc ";NA;1\nNone; x ;2\n"multi\nline";"";3\n'
    stats = read(tmp_path, text)
    assert stats.delimiter == ";" and stats.rows == 3
    frame = raw(tmp_path)
    assert list(frame.columns) == ["job", "note", "n"]  # the byte-order mark is not in the first name
    assert frame["job"].tolist() == ["Handlers, etc ", "None", "multi\nline"]
    assert frame["note"].tolist()[:2] == ["NA", " x "] and pd.isna(frame["note"].iloc[2])


def test_a_ragged_row_is_left_out_and_reported_with_its_row_number(tmp_path: Path) -> None:
    stats = read(tmp_path, "a,b\n1,x\n2,y,extra\n3,z\n4\n")
    assert stats.rows == 2 and stats.ragged == [2, 4] and stats.ragged_count == 2
    (problem,) = [p for p in find_problems([stats]) if p.kind == "ragged"]
    assert problem.key == "rows/ragged" and problem.places[0].rows == [2, 4]
    assert raw(tmp_path)["a"].tolist() == ["1", "3"]


def test_text_in_a_numeric_column_comes_with_its_rows_counts_and_choices(tmp_path: Path) -> None:
    rows = [str(v) for v in range(40)]
    rows[4], rows[30], rows[31] = "abc", "abc", "NA"
    stats = read(tmp_path, "age\n" + "\n".join(rows) + "\n")
    (problem,) = find_problems([stats])
    assert problem.key == "age/non_numeric" and problem.count == 3
    assert problem.values == {"abc": 2, "NA": 1}
    assert problem.places[0].rows == [5, 31, 32]
    assert problem.choices == ("missing", "drop", "categorical")
    guess = guess_columns([stats], {"age/non_numeric": "missing"})[0]
    assert guess.kind == "numeric" and guess.nullable
    assert guess_columns([stats], {"age/non_numeric": "categorical"})[0].kind == "categorical"


def test_na_words_are_categories_unless_the_organizer_says_they_mean_missing(tmp_path: Path) -> None:
    stats = read(tmp_path, "origin\nMexican\nNA\nNone\nOther\nNA\n")
    (problem,) = find_problems([stats])
    assert problem.key == "origin/na_values" and problem.values == {"NA": 2, "None": 1}
    assert problem.places[0].rows == [2, 3, 5]
    kept = guess_columns([stats], {"origin/na_values": "category"})[0]
    assert kept.categories == ["Mexican", "NA", "None", "Other"] and not kept.nullable
    missing = guess_columns([stats], {"origin/na_values": "missing"})[0]
    assert missing.categories == ["Mexican", "Other"] and missing.nullable


def test_every_problem_needs_a_choice_it_offers(tmp_path: Path) -> None:
    stats = read(tmp_path, "job\nClerk \nSales\n")
    problems = find_problems([stats])
    assert [p.key for p in problems] == ["job/whitespace"]
    assert unresolved(problems, {}, set()) == problems
    assert unresolved(problems, {}, {"job"}) == []  # an ignored column needs no choice
    with pytest.raises(DomainError, match="choose one of keep, strip"):
        check_choices(problems, {"job/whitespace": "drop"})
    with pytest.raises(DomainError, match="no problem 'job/na_values'"):
        check_choices(problems, {"job/na_values": "missing"})


@pytest.mark.parametrize(
    ("name", "hinted"),
    [("age", True), ("AgeGroup", True), ("wage_per_hour", False), ("usage", False), ("marital_status", True),
     ("sex", True), ("sextant", False), ("birth_country", True), ("race_code", True), ("trace", False)],
)  # fmt: skip
def test_attribute_guesses_use_whole_words(name: str, hinted: bool) -> None:
    assert attribute_hint(name) is hinted


def test_codes_stay_categorical_in_csv_with_leading_zeros_and_in_parquet_strings(tmp_path: Path) -> None:
    stats = read(tmp_path, "code,n\n01,1\n17,2\n02,3\n")
    kinds = {g.name: (g.kind, g.categories) for g in guess_columns([stats], {})}
    assert kinds["code"] == ("categorical", ["01", "02", "17"]) and kinds["n"][0] == "numeric"
    path = tmp_path / "t.parquet"
    pd.DataFrame({"zip": ["1001", "2002", "1001"], "n": [1, 2, 3], "f": [0.5, np.nan, 1.0]}).to_parquet(path)
    parquet = read_upload(path, tmp_path / "raw.parquet", label="t.parquet", max_rows=10, max_columns=5)
    kinds = {g.name: (g.kind, g.categories, g.nullable) for g in guess_columns([parquet], {})}
    assert kinds == {"zip": ("categorical", ["1001", "2002"], False), "n": ("numeric", [], False),
                     "f": ("numeric", [], True)}  # fmt: skip


def test_targets_are_guessed_from_the_counts(tmp_path: Path) -> None:
    stats = read(tmp_path, "y,v\n>50K,2.5\n<=50K,10\n>50K,7\n")
    assert guess_target(merged([stats], "y"), {}).classes == ("<=50K", ">50K")
    regression = guess_target(merged([stats], "v"), {})
    assert regression.task is Task.REGRESSION and regression.target_range == (2.5, 10.0)


def test_a_file_over_the_row_limit_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    source.write_text("a\n" + "1\n" * 20)
    with pytest.raises(DomainError, match="more than 10 rows"):
        read_upload(source, tmp_path / "big.parquet", label="big.csv", max_rows=10, max_columns=5)


def schema_for(categories: tuple[str, ...]) -> Schema:
    return Schema(
        columns=(Column("job", Kind.CATEGORICAL, categories), Column("n", Kind.NUMERIC, nullable=True)),
        target="y",
        task=Task.BINARY,
        classes=("no", "yes"),
    )


def test_typed_splits_keep_every_category_exactly_and_apply_the_choices(tmp_path: Path) -> None:
    text = "job,n,y\n" + "Clerk ,1,yes\nNA,abc,no\nSales,3,yes\nNA,4,no\n" * 10
    stats = read(tmp_path, text)
    choices = {"n/non_numeric": "missing", "job/na_values": "category", "job/whitespace": "keep"}
    assert unresolved(find_problems([stats]), choices, set()) == []
    schema = schema_for(("Clerk ", "NA", "Sales"))
    raw_files = {"train": (tmp_path / "data.csv.parquet", stats)}
    plan = SplitPlan("one", (1.0, 1.0, 1.0), 0)
    rows, problems = write_typed(raw_files, schema=schema, choices=choices, plan=plan, folder=tmp_path / "s")
    assert problems == [] and sum(rows.values()) == 40
    frames = pd.concat([read_split(tmp_path / "s", s) for s in ("train", "holdout", "confirmation")])
    assert frames["job"].astype(str).value_counts().to_dict() == {"NA": 20, "Clerk ": 10, "Sales": 10}
    assert list(frames["job"].cat.categories) == ["Clerk ", "NA", "Sales"]
    assert frames["n"].isna().sum() == 10 and schema.validate(frames, with_target=True) == []


def test_values_the_schema_does_not_allow_are_refused_with_rows_not_coerced(tmp_path: Path) -> None:
    stats = read(tmp_path, "job,n,y\nClerk ,1,yes\nSales,2,no\nSales,3,maybe\n")
    raw_files = {"train": (tmp_path / "data.csv.parquet", stats)}
    _, problems = write_typed(
        raw_files,
        schema=schema_for(("Clerk", "Sales")),
        choices={},
        plan=SplitPlan("one"),
        folder=tmp_path / "s",
    )
    assert problems == [
        "The file data.csv, column 'job': a value that is not one of the column's categories in 1 row "
        "(first: row 1)",
        "The file data.csv, column 'y': a class the schema does not list in 1 row (first: row 3)",
    ]
    assert not (tmp_path / "s" / "train.parquet").exists()


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(3, 5000), seed=st.integers(0, 2**31 - 1), shares=st.tuples(*[st.integers(1, 9)] * 3))
def test_split_labels_are_seeded_and_follow_the_shares(rows: int, seed: int, shares: tuple[int, ...]) -> None:
    plan = SplitPlan("one", tuple(float(s) for s in shares), seed)  # type: ignore[arg-type]
    labels = split_labels(rows, plan)
    assert np.array_equal(labels, split_labels(rows, plan))
    counts = np.bincount(labels, minlength=3)
    assert counts.sum() == rows
    assert np.all(np.abs(counts - np.asarray(shares) / sum(shares) * rows) <= 1)  # rounding only


def test_a_sample_of_a_split_is_seeded_in_file_order_and_read_batch_by_batch(tmp_path: Path) -> None:
    rows = 200_000
    frame = pd.DataFrame(
        {"i": np.arange(rows, dtype=np.float64), "c": pd.Categorical(["a", "b"] * (rows // 2))}
    )
    frame.to_parquet(tmp_path / "train.parquet", row_group_size=30_000)
    sample, total = read_split_sample(tmp_path, "train", limit=5_000, seed=3)
    expected = np.sort(np.random.default_rng(3).choice(rows, size=5_000, replace=False))
    assert total == rows and sample["i"].to_numpy().tolist() == expected.astype(float).tolist()
    assert sample["c"].tolist() == ["a" if i % 2 == 0 else "b" for i in expected]
    whole, _ = read_split_sample(tmp_path, "train", limit=rows)
    assert len(whole) == rows
