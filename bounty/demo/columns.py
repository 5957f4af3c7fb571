"""The standard UCI Adult columns, shared by the real loader and the synthetic generator."""

from __future__ import annotations

import pandas as pd

NUMERIC = ("age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week")
CATEGORICAL = (
    "workclass",
    "education",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native_country",
)
TARGET = "income"
CLASSES = ("<=50K", ">50K")
COLUMNS = (
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
)
ATTRIBUTES = ("sex", "race", "age", "marital_status", "native_country")
# A sampling weight from the census design, not a property of the person: never a feature.
DROPPED_FEATURES = ("fnlwgt",)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the standard column order and dtypes: int64 numerics, ``str`` text."""
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name in COLUMNS:
        values = frame[name].reset_index(drop=True)
        out[name] = values.astype("int64") if name in NUMERIC else values.astype("str")
    return out
