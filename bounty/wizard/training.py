"""Base models the platform trains for an organizer: a short list of plain scikit-learn pipelines,
serialized with skops (only types the platform's skops allowlist loads).

Training happens in the web process on the organizer's own train split (trusted data, our own code);
the engine then runs the saved model in the sandbox like any other model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from scoring.schema import Kind, Schema


@dataclass(frozen=True)
class Algorithm:
    key: str
    title: str
    regression_title: str


ALGORITHMS = (
    Algorithm("logistic", "Logistic regression", "Ridge linear regression"),
    Algorithm("tree4", "Decision tree (depth 4)", "Decision tree (depth 4)"),
    Algorithm("boosting", "Gradient boosting (histogram)", "Gradient boosting (histogram)"),
)
BY_KEY = {a.key: a for a in ALGORITHMS}


def describe(key: str, schema: Schema) -> str:
    algorithm = BY_KEY[key]
    title = algorithm.title if schema.task.is_classification else algorithm.regression_title
    return f"{title}, trained by the platform on the train split."


def train_base(key: str, train: pd.DataFrame, schema: Schema) -> bytes:
    """Fit algorithm ``key`` on ``train`` (features and target) and return the skops bytes."""
    if key not in BY_KEY:
        raise ValueError(f"unknown algorithm {key!r}")
    model = _pipeline(key, schema)
    features = schema.coerce(train)
    model.fit(features, _targets(train, schema))
    return sio.dumps(model)


def _targets(train: pd.DataFrame, schema: Schema) -> np.ndarray:
    codes = schema.encode_target(train[schema.target])
    if not schema.task.is_classification:
        return codes
    return np.asarray(schema.classes, dtype=object)[codes].astype(str)


def _pipeline(key: str, schema: Schema) -> Pipeline:
    categorical = [c.name for c in schema.columns if c.kind is Kind.CATEGORICAL]
    numeric = [c.name for c in schema.columns if c.kind is not Kind.CATEGORICAL]
    classify = schema.task.is_classification
    parts: list[tuple[str, Any, list[str]]] = []
    if key == "boosting":
        ordinal = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)
        parts.append(("categorical", ordinal, categorical))
        parts.append(("numeric", SimpleImputer(strategy="median"), numeric))
        estimator: Any = (
            HistGradientBoostingClassifier(categorical_features=None, random_state=0)
            if classify
            else HistGradientBoostingRegressor(categorical_features=None, random_state=0)
        )
    else:
        parts.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
        if key == "logistic":
            scaled = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
            parts.append(("numeric", scaled, numeric))
            estimator = LogisticRegression(max_iter=1000) if classify else Ridge()
        else:
            parts.append(("numeric", SimpleImputer(strategy="median"), numeric))
            estimator = (
                DecisionTreeClassifier(max_depth=4, random_state=0)
                if classify
                else DecisionTreeRegressor(max_depth=4, random_state=0)
            )
    prepare = ColumnTransformer([p for p in parts if p[2]])
    return Pipeline([("prepare", prepare), ("model", estimator)])
