"""A census-like 40-column table with the mess real organizer files have (seeded, no download).

- category values with trailing spaces (``"Handlers equip cleaners etc "``), kept exactly;
- ``"NA"`` and ``"None"`` as real categories (``hispanic_origin`` and ``fill_questionnaire``);
- a few non-numeric values (``"abc"``) in the numeric column ``age``, at ``ODD_AGE_ROWS``;
- code columns stored as strings with leading zeros (``industry_code``, ``occupation_code``);
- one ragged row (an extra field) after data row ``RAGGED_AFTER`` (so it is data row
  ``RAGGED_AFTER + 1`` of the file);
- a column named ``wage_per_hour`` (no protected attribute, though it contains "age").

``write_messy_csv`` streams the file in slices, so millions of rows never sit in memory as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

OCCUPATIONS = (
    "Adm support including clerical",
    "Executive admin and managerial",
    "Handlers equip cleaners etc ",
    "Machine operators assmblrs & inspctrs",
    "Not in universe",
    "Other service",
    "Professional specialty",
    "Sales",
    "Transportation and material moving ",
    "Precision production craft & repair",
)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "sex": ("Female", "Male"),
    "race": ("Amer Indian Aleut or Eskimo", "Asian or Pacific Islander", "Black", "Other", "White"),
    "marital_status": (
        "Divorced",
        "Married-civilian spouse present",
        "Never married",
        "Separated",
        "Widowed",
    ),
    "education": (
        "Bachelors degree(BA AB BS)",
        "High school graduate",
        "Masters degree(MA MS MEng)",
        "Some college but no degree",
        "Children",
    ),
    "occupation": OCCUPATIONS,
    "class_of_worker": (
        "Federal government",
        "Local government",
        "Never worked",
        "Not in universe",
        "Private",
        "Self-employed-incorporated",
    ),
    "hispanic_origin": ("All other", "Mexican (Mexicano)", "NA", "Puerto Rican", "Do not know"),
    "fill_questionnaire": ("No", "None", "Yes"),
    "region": ("Midwest", "Northeast", "South", "West", "Abroad"),
    "citizenship": (
        "Native- Born in the United States",
        "Foreign born- Not a citizen of U S ",
        "Foreign born- U S citizen by naturalization",
    ),
    "union_member": ("No", "Not in universe", "Yes"),
    "employment_status": (
        "Children or Armed Forces",
        "Full-time schedules",
        "Not in labor force",
        "PT for econ reasons usually PT",
        "Unemployed full-time",
    ),
    "household_role": (
        "Child <18 never marr not in subfamily",
        "Householder",
        "Nonfamily householder",
        "Spouse of householder",
        "Other Rel 18+ ever marr not in subfamily",
    ),
    "tax_filer": ("Head of household", "Joint both under 65", "Nonfiler", "Single"),
    "veteran_admin": ("No", "Not in universe", "Yes"),
    "birth_country": ("United-States", "Mexico", "Philippines", "Germany", "Puerto-Rico", "Canada"),
}
CODES = {"industry_code": 52, "occupation_code": 47}
NUMERIC = (
    "age",
    "wage_per_hour",
    "capital_gains",
    "capital_losses",
    "dividends",
    "num_persons_worked",
    "weeks_worked",
    "instance_weight",
    "hours_per_week",
    "years_in_job",
    "children",
    "commute_minutes",
    "own_business",
    "veterans_benefits",
    "year",
    "family_size",
    "savings",
    "debt",
    "rent",
    "distance_to_city",
)
TARGET = "income"
CLASSES = ("- 50000.", "50000+.")
COLUMNS = (*NUMERIC[:1], *CATEGORIES, *CODES, *NUMERIC[1:], TARGET)
ODD_AGE_ROWS = (17, 4242, 9999)  # data rows (1-based) where age is "abc"
RAGGED_AFTER = 1234
# The problems the reader finds in this table, and the choices that keep every value as written
# (the rows of the ragged row aside, and the three "abc" ages, which become missing).
CHOICES = {
    "rows/ragged": "drop",
    "age/non_numeric": "missing",
    "hispanic_origin/na_values": "category",
    "fill_questionnaire/na_values": "category",
    "occupation/whitespace": "keep",
    "citizenship/whitespace": "keep",
}
SLICE_ROWS = 250_000


def messy_columns(rows: int, seed: int) -> dict[str, Any]:
    """The table's columns (numbers as float arrays, text as string arrays)."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {}
    for name, values in CATEGORIES.items():
        data[name] = np.asarray(values, dtype=object)[rng.integers(0, len(values), rows)]
    for name, count in CODES.items():
        data[name] = np.char.zfill(rng.integers(0, count, rows).astype(str), 2).astype(object)
    for index, name in enumerate(NUMERIC):
        scale = 10.0 ** (index % 4)
        data[name] = np.round(rng.gamma(2.0, scale, rows), 2 if index % 3 else 0)
    data["age"] = rng.integers(16, 91, rows).astype(float)
    score = (
        0.04 * (np.minimum(data["age"], 60) - 40)
        + 0.9 * (data["education"] == "Masters degree(MA MS MEng)")
        + 0.6 * (data["sex"] == "Male")
        + 0.004 * (data["weeks_worked"] - 2)
        - 1.5 * (data["occupation"] == "Handlers equip cleaners etc ")
        - 2.6
    )
    labels = rng.random(rows) < 1 / (1 + np.exp(-score))
    data[TARGET] = np.where(labels, CLASSES[1], CLASSES[0]).astype(object)
    return {name: data[name] for name in COLUMNS}


def write_messy_csv(path: Path, rows: int, seed: int = 0) -> None:
    """Write the messy table as CSV, in slices, with its odd values and its one ragged row."""
    with pcsv.CSVWriter(path, _schema(), write_options=pcsv.WriteOptions(quoting_style="needed")) as out:
        for start in range(0, rows, SLICE_ROWS):
            count = min(SLICE_ROWS, rows - start)
            out.write_table(_slice(count, seed + start, start))
    if rows > RAGGED_AFTER:
        _insert_ragged_row(path)


def _schema() -> pa.Schema:
    numbers = set(NUMERIC) - {"age"}  # age is written as text, to hold its odd values
    return pa.schema([(name, pa.float64() if name in numbers else pa.string()) for name in COLUMNS])


def _slice(count: int, seed: int, start: int) -> pa.Table:
    columns = messy_columns(count, seed)
    age = columns["age"].astype(np.int64).astype(str).astype(object)
    for row in ODD_AGE_ROWS:
        if start < row <= start + count:
            age[row - 1 - start] = "abc"
    columns["age"] = age
    return pa.table({n: columns[n] for n in COLUMNS}, schema=_schema())


def _insert_ragged_row(path: Path) -> None:
    """Put a row with one field too many after data row ``RAGGED_AFTER`` (line RAGGED_AFTER + 1)."""
    lines_before = RAGGED_AFTER + 1  # the header and the data rows before it
    tmp = path.with_suffix(".tmp")
    with open(path, "rb") as source, open(tmp, "wb") as target:
        for _ in range(lines_before):
            target.write(source.readline())
        target.write(b",".join([b"42"] * (len(COLUMNS) + 1)) + b"\n")
        while chunk := source.read(16 * 1024 * 1024):
            target.write(chunk)
    tmp.replace(path)
