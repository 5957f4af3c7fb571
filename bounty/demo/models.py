"""Schema, splits, base model and example submissions for the demo competition.

Every model here is a plain scikit-learn estimator (Pipeline, ColumnTransformer, OneHotEncoder,
SimpleImputer, DecisionTreeClassifier, HistGradientBoostingClassifier) serialized with skops, so the
platform's skops allowlist can load it. All models are trained on ``schema.coerce(frame)`` (the
canonical frame) with the class names as labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier

from bounty.demo.columns import (
    ATTRIBUTES,
    CLASSES,
    COLUMNS,
    DROPPED_FEATURES,
    NUMERIC,
    TARGET,
)
from scoring.groups import evaluate
from scoring.schema import Column, Kind, Schema, Task

MARRIED: dict[str, Any] = {"col": "relationship", "op": "in", "values": ["Husband", "Wife"]}
NOT_MARRIED: dict[str, Any] = {
    "col": "relationship",
    "op": "in",
    "values": ["Not-in-family", "Other-relative", "Own-child", "Unmarried"],
}
TINY: dict[str, Any] = {
    "op": "and",
    "args": [
        {"col": "age", "op": ">=", "value": 85},
        {"col": "sex", "op": "in", "values": ["Female"]},
    ],
}


@dataclass(frozen=True)
class ExamplePair:
    """A ready submission: a group (group-tree JSON) and a fitted model (skops bytes)."""

    name: str
    description: str
    group: dict[str, Any]
    model: bytes
    expected: str  # the decision reason it should get: "accepted", "group_too_small", ...


def adult_schema(frame: pd.DataFrame) -> Schema:
    """The demo competition's schema; categories are the values seen in ``frame``, sorted."""
    columns = []
    for name in COLUMNS:
        if name == TARGET or name in DROPPED_FEATURES:
            continue
        if name in NUMERIC:
            columns.append(Column(name, Kind.NUMERIC))
        else:
            values = tuple(sorted(str(v) for v in frame[name].dropna().unique()))
            columns.append(Column(name, Kind.CATEGORICAL, categories=values))
    return Schema(
        columns=tuple(columns),
        target=TARGET,
        task=Task.BINARY,
        classes=CLASSES,
        attributes=ATTRIBUTES,
    )


def split_frame(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train, holdout, confirmation): 50 / 25 / 25 %, stratified on the income class."""
    train, rest = train_test_split(frame, test_size=0.5, stratify=frame[TARGET], random_state=seed)
    holdout, confirmation = train_test_split(rest, test_size=0.5, stratify=rest[TARGET], random_state=seed)
    return (
        train.reset_index(drop=True),
        holdout.reset_index(drop=True),
        confirmation.reset_index(drop=True),
    )


def base_pipeline(schema: Schema) -> Pipeline:
    """One-hot categoricals, median-imputed numerics, and a depth-4 decision tree."""
    categorical = [c.name for c in schema.columns if c.kind is Kind.CATEGORICAL]
    numeric = [c.name for c in schema.columns if c.kind is not Kind.CATEGORICAL]
    prepare = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numeric", SimpleImputer(strategy="median"), numeric),
        ]
    )
    return Pipeline([("prepare", prepare), ("tree", DecisionTreeClassifier(max_depth=4, random_state=0))])


def train_base_model(train: pd.DataFrame, schema: Schema) -> tuple[Pipeline, bytes]:
    """The competition's base model f_0, fitted on ``train``, and its skops serialization."""
    model = base_pipeline(schema)
    model.fit(schema.coerce(train), _labels(train, schema))
    return model, sio.dumps(model)


def error_rate(model: Any, frame: pd.DataFrame, schema: Schema) -> float:
    """The 0-1 error of ``model`` on ``frame`` (canonical features, class-name labels)."""
    predicted = np.asarray(model.predict(schema.coerce(frame))).astype(str)
    return float(np.mean(predicted != _labels(frame, schema)))


def example_pairs(train: pd.DataFrame, schema: Schema) -> list[ExamplePair]:
    """Example submissions for seeding: one that should be accepted and two that should not."""
    married_model = _fit_on_group(train, schema, MARRIED)
    married_bytes = sio.dumps(married_model)
    return [
        ExamplePair(
            "married-boosting",
            "Gradient boosting trained on married people, who the shallow base tree serves worst.",
            MARRIED,
            married_bytes,
            "accepted",
        ),
        ExamplePair(
            "married-model-on-unmarried",
            "The married-people model applied to everyone else: worse than the base model there.",
            NOT_MARRIED,
            married_bytes,
            "insufficient_improvement",
        ),
        ExamplePair(
            "tiny-group",
            "Women aged 85 or more: far too few rows to count.",
            TINY,
            married_bytes,
            "group_too_small",
        ),
    ]


def group_mask(frame: pd.DataFrame, group: dict[str, Any], schema: Schema) -> np.ndarray:
    """Rows of ``frame`` in ``group`` (group-tree JSON), as the scoring engine evaluates it."""
    return evaluate(group, schema.coerce(frame), schema)


def boosting_pipeline(schema: Schema) -> Pipeline:
    """Ordinal-coded categoricals and median-imputed numerics into gradient boosting.

    Only plain estimators end up in the fitted object: the codes are plain numbers to the booster
    (``categorical_features=None``) because native categorical support makes scikit-learn keep an
    internal ``FunctionTransformer`` around a ``functools.partial``, and numerics go through an
    imputer because a ``"passthrough"`` column becomes a ``FunctionTransformer`` once fitted.
    """
    categorical = [c.name for c in schema.columns if c.kind is Kind.CATEGORICAL]
    numeric = [c.name for c in schema.columns if c.kind is not Kind.CATEGORICAL]
    encode = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)
    prepare = ColumnTransformer(
        [
            ("categorical", encode, categorical),
            ("numeric", SimpleImputer(strategy="median"), numeric),
        ]
    )
    boost = HistGradientBoostingClassifier(categorical_features=None, random_state=0)
    return Pipeline([("prepare", prepare), ("boost", boost)])


def _fit_on_group(train: pd.DataFrame, schema: Schema, group: dict[str, Any]) -> Pipeline:
    rows = train[group_mask(train, group, schema)]
    model = boosting_pipeline(schema)
    model.fit(schema.coerce(rows), _labels(rows, schema))
    return model


def _labels(frame: pd.DataFrame, schema: Schema) -> np.ndarray:
    codes = schema.encode_target(frame[schema.target])
    return np.asarray(schema.classes, dtype=object)[codes].astype(str)
