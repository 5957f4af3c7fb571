"""A fast, vectorised census-like data generator for benchmarks (no download, seeded)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scoring.schema import Column, Kind, Schema, Task

CATEGORIES = {
    "sex": ("Female", "Male"),
    "race": ("Amer-Indian-Eskimo", "Asian-Pac-Islander", "Black", "Other", "White"),
    "marital_status": ("Divorced", "Married", "Never-married", "Separated", "Widowed"),
    "workclass": ("Federal-gov", "Local-gov", "Private", "Self-emp", "State-gov"),
    "education": ("Bachelors", "Doctorate", "HS-grad", "Masters", "Some-college"),
    "region": ("Midwest", "Northeast", "South", "West"),
}
NUMERIC = ("age", "education_num", "hours_per_week", "capital_gain")

SCHEMA = Schema(
    columns=(
        *(Column(name, Kind.NUMERIC) for name in NUMERIC),
        *(Column(name, Kind.CATEGORICAL, cats) for name, cats in CATEGORIES.items()),
    ),
    target="income",
    task=Task.BINARY,
    classes=("<=50K", ">50K"),
    attributes=("sex", "race", "age", "marital_status", "region"),
)


def census_frame(rows: int, seed: int) -> pd.DataFrame:
    """Features and target; income depends on education, hours, age and marriage, with planted gaps."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {
        "age": rng.integers(17, 90, rows).astype(float),
        "education_num": rng.integers(1, 17, rows).astype(float),
        "hours_per_week": np.clip(rng.normal(40, 12, rows), 1, 99).round(),
        "capital_gain": np.where(rng.uniform(size=rows) < 0.08, rng.exponential(5000, rows), 0.0).round(),
    }
    codes = {name: rng.integers(0, len(cats), rows) for name, cats in CATEGORIES.items()}
    for name, cats in CATEGORIES.items():
        data[name] = pd.Categorical.from_codes(codes[name], categories=list(cats))
    score = (
        0.25 * (data["education_num"] - 9)
        + 0.04 * (data["hours_per_week"] - 40)
        + 0.03 * (np.minimum(data["age"], 60) - 38)
        + 1.2 * (codes["marital_status"] == 1)
        + 0.0002 * data["capital_gain"]
    )
    # a planted gap: older self-employed women in the West follow a different rule
    gap = (codes["sex"] == 0) & (codes["workclass"] == 3) & (codes["region"] == 3)
    score = np.where(gap, -score + 0.5, score)
    p = 1 / (1 + np.exp(-(score - 1.0)))
    labels = np.where(rng.uniform(size=rows) < p, ">50K", "<=50K")
    frame = pd.DataFrame(data)
    frame["income"] = labels
    return frame
