"""Files a participant could be told about at upload: hostile or foreign files (refused from their
bytes) and models fitted on the wrong columns or giving the wrong answers (refused by the pre-check on
public train rows), each with the words it is refused with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import skops.io as sio
from bounty_client.local import check_locally
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from bounty.engine_adapter import competition_store
from bounty.models import Competition, Team
from bounty.selectors.quotas import QuotaUsage, quota_usage
from scoring.errors import EngineError
from scoring.schema import Kind, Schema
from tests.engine import malicious
from tests.platform.api_support import _small_world

GROUP = "age >= 30"


@dataclass(frozen=True)
class Bad:
    name: str
    content: bytes
    code: str
    words: str  # what the refusal must say


def bad_files(marker: Path) -> list[Bad]:
    """Refused from their bytes, at every door, before anything runs."""
    return [
        Bad("pickle", malicious.pickle_payload(marker), "invalid_model", "This is a pickle file"),
        Bad("joblib", malicious.joblib_payload(marker), "invalid_model", "joblib"),
        Bad("random bytes", malicious.random_bytes(), "invalid_model", "Unrecognised model file format"),
        Bad("skops asking for Popen", malicious.skops_popen(marker), "invalid_model", "subprocess.Popen"),
    ]


def _train() -> tuple[Schema, pd.DataFrame, pd.Series]:
    raw_schema, splits, _ = _small_world()
    schema = raw_schema if isinstance(raw_schema, Schema) else Schema.from_json(raw_schema)
    train = splits["train"]
    return schema, schema.coerce(train), train[schema.target]


def _numeric(schema: Schema) -> list[str]:
    return [c.name for c in schema.columns if c.kind is not Kind.CATEGORICAL]


def _on(columns: list[str], estimator: object) -> Pipeline:
    return Pipeline([("columns", ColumnTransformer([("n", SimpleImputer(), columns)])), ("m", estimator)])


@cache
def wrong_models() -> dict[str, tuple[bytes, str, str]]:
    """name -> (skops bytes, reason code, words the refusal must hold)."""
    schema, X, y = _train()
    numeric = _numeric(schema)
    renamed = X.rename(columns={"age": "Age"})
    missing = _on(["Age", *numeric[1:]], LogisticRegression(max_iter=200)).fit(renamed, y)
    extra = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X[numeric], y)
    on_array = LogisticRegression(max_iter=200).fit(X[numeric].fillna(0).to_numpy(), y)
    positive = (y == schema.classes[1]).to_numpy(dtype=float)
    two_outputs = _on(numeric, LinearRegression()).fit(X, np.c_[positive, positive])
    foreign = _on(numeric, LogisticRegression(max_iter=200)).fit(X, np.where(positive > 0, "yes", "nope"))
    return {
        "missing column": (sio.dumps(missing), "schema_mismatch", "Age"),
        "extra column": (sio.dumps(extra), "schema_mismatch", "Feature names unseen at fit time"),
        "fitted on a numpy array": (sio.dumps(on_array), "schema_mismatch", "fitted without column names"),
        "wrong output shape": (sio.dumps(two_outputs), "prediction_error", "have shape"),
        "labels outside the set": (sio.dumps(foreign), "prediction_error", "'nope'"),
    }


def good_model() -> bytes:
    schema, X, y = _train()
    return sio.dumps(_on(_numeric(schema), LogisticRegression(max_iter=200)).fit(X, y))


def bounty_check_error(competition: Competition, model: bytes) -> EngineError:
    """What ``bounty check`` (the client's local check, on the whole public train split) says."""
    store = competition_store(competition)
    settings = store.settings
    try:
        check_locally(
            store.public_train_csv,
            settings.schema,
            settings.rules,
            settings.loss,
            store.train_base_predictions(),
            GROUP,
            model,
            loss_params=settings.loss_params,
        )
    except EngineError as exc:
        return exc
    raise AssertionError("bounty check accepted the file")


def same_words(a: str, b: str) -> bool:
    """Equal up to the row counts (the pre-check runs on a sample, bounty check on every row)."""
    return re.sub(r"\d+", "N", a) == re.sub(r"\d+", "N", b)


def usage(team: Team, competition: Competition) -> QuotaUsage:
    from django.utils import timezone

    return quota_usage(team=team, competition=competition, now=timezone.now())
