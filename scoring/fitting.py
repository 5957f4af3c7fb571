"""Fitting a model for a group without writing code: a short menu of model families, each with a few
settings in plain words, fitted on the group's rows of the public train split.

``fit_for_group`` first fits on the group's rows of a seeded 70% of the train rows and estimates the
check on the other 30% (the figures ``bounty check`` gives: the same loss, check statistics and rule,
with the model loaded from its file by the safe loader and predicting through the child's code),
then fits again on all of the group's train rows: that model is the one to submit. Only our own
scikit-learn code runs here, on public rows; the worker that calls it limits its time and memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from scoring import groups
from scoring.check import CheckStats, Decision, Rules, decide
from scoring.errors import EngineError, Reason
from scoring.export import export_skops
from scoring.formats import load_model
from scoring.losses import Loss
from scoring.safe_load.canonical import predict
from scoring.schema import Kind, Schema

ESTIMATE_SHARE = 0.3
MAX_FIT_ROWS = 200_000  # a larger group is fitted on a seeded sample of this many rows
MIN_FIT_ROWS = 20


@dataclass(frozen=True)
class Family:
    title: str
    setting: str  # the one setting's name, in plain words
    choices: dict[str, Any]  # choice -> the parameter it sets
    default: str


FAMILIES: dict[str, Family] = {
    "logistic_regression": Family(
        "Logistic regression (linear regression for numbers)",
        "regularization",
        {"light": 10.0, "medium": 1.0, "strong": 0.1},
        "medium",
    ),
    "decision_tree": Family("Decision tree", "depth", {"shallow": 3, "medium": 5, "deep": 8}, "medium"),
    "gradient_boosting": Family(
        "Gradient boosting", "size", {"small": 50, "medium": 100, "large": 200}, "medium"
    ),
}


@dataclass(frozen=True)
class Fitted:
    """The model file to submit and the check estimated on held-out train rows."""

    model: bytes
    decision: Decision
    estimate_model: bytes  # the model fitted on the rest, which the estimate is of
    fit_rows: int  # the group's rows the estimate's model was fitted on
    estimate_rows: int  # held-out train rows the estimate was computed on


def choose(family: str, choice: str | None) -> tuple[Family, str]:
    """The family and its setting's choice, or ``EngineError`` saying what the menu offers."""
    if family not in FAMILIES:
        names = ", ".join(FAMILIES)
        raise EngineError(
            Reason.INVALID_MODEL, f"Unknown model family {family!r}; choose one of {names}.", field="family"
        )
    found = FAMILIES[family]
    picked = choice or found.default
    if picked not in found.choices:
        names = ", ".join(found.choices)
        raise EngineError(Reason.INVALID_MODEL, f"{found.setting} must be one of {names}.", field="setting")
    return found, picked


def fit_for_group(
    *,
    frame: pd.DataFrame,
    labels: np.ndarray,
    base_predictions: np.ndarray,
    schema: Schema,
    loss: Loss,
    rules: Rules,
    tree: dict[str, Any],
    family: str,
    choice: str | None = None,
    seed: int = 0,
) -> Fitted:
    """Fit a model of ``family`` for the group ``tree`` on the train rows (canonical ``frame``, target
    codes or values ``labels``) and estimate its check against ``base_predictions``."""
    found, picked = choose(family, choice)
    mask = groups.evaluate(groups.validate_tree(tree, schema), frame, schema)
    rng = np.random.default_rng(seed)
    held_out = rng.random(len(frame)) < ESTIMATE_SHARE
    first = _fit(frame, labels, mask & ~held_out, schema, family, found.choices[picked], seed)
    decision = _estimate(first, frame[held_out], labels[held_out], base_predictions[held_out], mask[held_out],
                         schema, loss, rules)  # fmt: skip
    final = _fit(frame, labels, mask, schema, family, found.choices[picked], seed)
    return Fitted(final, decision, first, int((mask & ~held_out).sum()), int(held_out.sum()))


def _fit(frame: pd.DataFrame, labels: np.ndarray, rows: np.ndarray, schema: Schema, family: str, value: Any,
         seed: int) -> bytes:  # fmt: skip
    index = np.flatnonzero(rows)
    if len(index) < MIN_FIT_ROWS:
        message = f"The group has {len(index)} train rows to fit on; a model needs at least {MIN_FIT_ROWS}."
        raise EngineError(Reason.GROUP_TOO_SMALL, message, field="group")
    if len(index) > MAX_FIT_ROWS:
        index = np.sort(np.random.default_rng(seed).choice(index, MAX_FIT_ROWS, replace=False))
    target = labels[index]
    if schema.task.is_classification:
        target = np.asarray(schema.classes, dtype=object)[target]
        if len(set(target)) < 2:
            only = target[0]
            message = f"Every train row of the group is {only!r}: there is nothing for a model to learn."
            raise EngineError(Reason.GROUP_TOO_SMALL, message, field="group")
    model = _estimator(schema, family, value, seed).fit(frame.iloc[index][schema.feature_names], target)
    return export_skops(model)


def _estimator(schema: Schema, family: str, value: Any, seed: int) -> Pipeline:
    classify = schema.task.is_classification
    if family == "gradient_boosting":
        booster = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return make_pipeline(booster(max_iter=value, categorical_features="from_dtype", random_state=seed))
    categorical = [c.name for c in schema.columns if c.kind is Kind.CATEGORICAL]
    numeric = [c.name for c in schema.columns if c.kind is not Kind.CATEGORICAL]
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numbers", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
        ]
    )
    if family == "decision_tree":
        tree = DecisionTreeClassifier if classify else DecisionTreeRegressor
        return make_pipeline(encode, tree(max_depth=value, min_samples_leaf=5, random_state=seed))
    linear = LogisticRegression(C=value, max_iter=1000) if classify else Ridge(alpha=1.0 / value)
    return make_pipeline(encode, linear)


def _estimate(model: bytes, frame: pd.DataFrame, labels: np.ndarray, base: np.ndarray, mask: np.ndarray,
              schema: Schema, loss: Loss, rules: Rules) -> Decision:  # fmt: skip
    loaded = load_model(model)
    rows = np.flatnonzero(mask)
    preds = predict(loaded, frame.reset_index(drop=True), mask, loss.output, schema.classes)
    current = loss.per_row(labels, base)
    stats = CheckStats.measure(mask, current, loss.per_row(labels[rows], preds), rows)
    return decide(stats, rules)
