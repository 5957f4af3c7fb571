"""``scoring.export``: skops files and ONNX uploads made from fitted models, checked like the server."""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

import lightgbm
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from benchmarks.census import CATEGORIES, SCHEMA, census_frame
from scoring.errors import EngineError, Reason
from scoring.export import export_onnx, export_skops, feature_matrix
from scoring.formats import load_model
from scoring.formats.onnx.container import read_container
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return census_frame(3000, 5)


def fitted(model: Any, X: Any, y: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def members(upload: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(upload)) as archive:
        return sorted(archive.namelist())


def test_export_skops_gives_a_file_the_safe_loader_takes(train: pd.DataFrame) -> None:
    X = SCHEMA.coerce(train)
    model = fitted(HistGradientBoostingClassifier(max_iter=10), X, train["income"])
    loaded = load_model(export_skops(model))
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_a_classifier_upload_holds_the_model_and_its_labels_and_probabilities(train: pd.DataFrame) -> None:
    X = SCHEMA.coerce(train)
    encode = ColumnTransformer([("cat", OneHotEncoder(), list(CATEGORIES))], remainder="passthrough")
    model = fitted(
        Pipeline([("encode", encode), ("model", LogisticRegression(max_iter=500))]), X, train["income"]
    )
    upload = export_onnx(model, train, SCHEMA)
    assert members(upload) == ["model.onnx", "parity_label.npy", "parity_proba.npy"]
    parity = read_container(upload).parity
    assert parity["label"].tolist() == model.predict(X).tolist()
    assert np.array_equal(parity["proba"], model.predict_proba(X))
    assert [spec.name for spec in load_model(upload).signature.inputs] == SCHEMA.feature_names


def test_output_picks_the_one_parity_file(train: pd.DataFrame) -> None:
    X = feature_matrix(SCHEMA.coerce(train))
    model = fitted(HistGradientBoostingClassifier(max_iter=10), X, train["income"])
    assert members(export_onnx(model, train, SCHEMA, output="proba")) == ["model.onnx", "parity_proba.npy"]


def test_a_lightgbm_model_fitted_on_the_frame_exports_as_a_feature_matrix(train: pd.DataFrame) -> None:
    X = SCHEMA.coerce(train)
    model = fitted(lightgbm.LGBMClassifier(n_estimators=30, verbose=-1), X, train["income"])
    upload = export_onnx(model, train, SCHEMA)
    (spec,) = load_model(upload).signature.inputs
    assert (spec.name, spec.width) == ("X", len(SCHEMA.columns))


def test_a_regressor_upload_holds_its_values() -> None:
    schema = Schema(
        columns=(
            Column("a", Kind.NUMERIC),
            Column("b", Kind.BOOLEAN),
            Column("c", Kind.CATEGORICAL, ("x", "y")),
        ),
        target="t",
        task=Task.REGRESSION,
        target_range=(-10.0, 10.0),
    )
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"a": rng.normal(size=300), "b": rng.integers(0, 2, 300), "c": rng.choice(["x", "y"], 300)}
    )
    canonical = schema.coerce(frame)
    target = canonical["a"] * 2 + canonical["b"]
    model = fitted(RandomForestRegressor(n_estimators=5, random_state=0), feature_matrix(canonical), target)
    upload = export_onnx(model, frame, schema)
    assert members(upload) == ["model.onnx", "parity_value.npy"]
    assert np.allclose(read_container(upload).parity["value"], model.predict(feature_matrix(canonical)))


def test_a_mis_conversion_is_refused_at_export_with_the_servers_message(train: pd.DataFrame) -> None:
    model = fitted(
        HistGradientBoostingClassifier(max_iter=20, random_state=0), SCHEMA.coerce(train), train["income"]
    )
    with pytest.raises(
        EngineError, match="disagrees with its own predictions on the public train split"
    ) as info:
        export_onnx(model, train, SCHEMA)
    assert info.value.reason is Reason.INVALID_MODEL
    export_onnx(model, train, SCHEMA, verify=False)  # the caller may still build it (e.g. to test the server)
