"""ONNX uploads end to end: ``Store.evaluate`` runs them (and their parity check) in the sandbox."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import onnxmltools
import pandas as pd
import pytest
from onnxmltools.convert.common.data_types import FloatTensorType
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from benchmarks.census import CATEGORIES, NUMERIC, SCHEMA, census_frame
from benchmarks.engine import base_model
from scoring import groups
from scoring.engine import Rules, Store, create_store
from scoring.errors import EngineError, Reason
from scoring.export import export_onnx, feature_matrix
from scoring.formats import load_model
from scoring.formats.onnx.container import write_container
from scoring.frames import read_frame
from scoring.safe_load import to_plain_array, validate_predictions
from scoring.sandbox import Output, PairJob, SplitJob, _selftest, prestart, run_pair, spawner
from tests.engine import onnx_builders

pytestmark = pytest.mark.engine
MARRIED = 'marital_status == "Married"'


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return census_frame(6000, 0)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, train: pd.DataFrame) -> dict[str, Path]:
    """A label store (zero-one loss) and a probability store (Brier)."""
    built = {}
    splits = {"train": train, "holdout": census_frame(4000, 1), "confirmation": census_frame(3000, 2)}
    for output, loss in (("label", "zero_one"), ("proba", "brier")):
        directory = tmp_path_factory.mktemp(output) / "c"
        create_store(
            directory=directory,
            schema=SCHEMA,
            loss=loss,
            rules=Rules(alpha=0.002, mu_min=0.01),
            splits=dict(splits),
            base_model=base_model(train),
        )
        built[output] = directory
    return built


def fresh(stores: dict[str, Path], output: str, tmp_path: Path) -> Store:
    shutil.copytree(stores[output], tmp_path / output)
    return Store(tmp_path / output)


def fitted(model: Any, X: Any, y: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def one_hot_pipeline(model: Any) -> Pipeline:
    encode = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), list(CATEGORIES)),
            ("num", StandardScaler(), list(NUMERIC)),
        ]
    )
    return Pipeline([("encode", encode), ("model", model)])


@pytest.fixture(scope="module")
def pipelines(train: pd.DataFrame) -> dict[str, Pipeline]:
    X, y = SCHEMA.coerce(train), train["income"]
    return {
        "logistic": fitted(one_hot_pipeline(LogisticRegression(max_iter=1000)), X, y),
        "boosting": fitted(
            one_hot_pipeline(GradientBoostingClassifier(n_estimators=40, random_state=0)), X, y
        ),
    }


@pytest.fixture(scope="module")
def booster(train: pd.DataFrame) -> tuple[lightgbm.LGBMClassifier, bytes]:
    """A LightGBM classifier on the feature matrix (codes), converted with onnxmltools."""
    matrix = feature_matrix(SCHEMA.coerce(train))
    model = fitted(
        lightgbm.LGBMClassifier(n_estimators=60, verbose=-1, random_state=0), matrix, train["income"]
    )
    proto = onnxmltools.convert_lightgbm(
        model, initial_types=[("input", FloatTensorType([None, matrix.shape[1]]))], zipmap=False
    )
    parity = {"label": to_plain_array(model.predict(matrix)), "proba": model.predict_proba(matrix)}
    return model, write_container(proto.SerializeToString(), parity)


def canonical(model: Any, X: Any, output: Output) -> np.ndarray:
    raw = model.predict_proba(X) if output == "proba" else model.predict(X)
    return validate_predictions(
        to_plain_array(raw),
        output=output,
        n_rows=len(raw),
        classes=SCHEMA.classes,
        model_classes=to_plain_array(model.classes_),
    )


def assert_same_as(
    store: Store, evaluation: Any, output: Output, predict_on: Callable[[pd.DataFrame], Any]
) -> None:
    for split in ("holdout", "confirmation"):
        rows = store.frame(split)[evaluation.masks[split]].reset_index(drop=True)
        want, got = predict_on(rows), evaluation.preds[split]
        if output == "label":
            assert np.array_equal(got, want)
        else:
            assert np.abs(got - want).max() < 1e-5


@pytest.mark.parametrize("output", ["label", "proba"])
@pytest.mark.parametrize("name", ["logistic", "boosting"])
def test_a_converted_pipeline_predicts_like_the_original_in_the_sandbox(
    stores: dict[str, Path],
    tmp_path: Path,
    train: pd.DataFrame,
    pipelines: dict[str, Pipeline],
    name: str,
    output: str,
) -> None:
    store = fresh(stores, output, tmp_path)
    upload = export_onnx(pipelines[name], train, SCHEMA)
    evaluation = store.evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=upload)
    assert evaluation.masks["holdout"].sum() > 100
    assert_same_as(store, evaluation, output, lambda rows: canonical(pipelines[name], rows, output))


@pytest.mark.parametrize("output", ["label", "proba"])
def test_a_lightgbm_model_converted_with_onnxmltools_predicts_like_the_original(
    stores: dict[str, Path], tmp_path: Path, booster: tuple[Any, bytes], output: str
) -> None:
    store = fresh(stores, output, tmp_path)
    model, upload = booster
    evaluation = store.evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=upload)
    assert_same_as(store, evaluation, output, lambda rows: canonical(model, feature_matrix(rows), output))


def test_a_hist_gradient_boosting_with_native_categoricals_is_caught_by_the_parity_check(
    stores: dict[str, Path], tmp_path: Path, train: pd.DataFrame
) -> None:
    """skl2onnx ignores native categorical splits; the upload's own predictions give it away."""
    model = fitted(
        HistGradientBoostingClassifier(max_iter=30, random_state=0), SCHEMA.coerce(train), train["income"]
    )
    upload = export_onnx(model, train, SCHEMA, verify=False)
    with pytest.raises(EngineError) as info:
        fresh(stores, "label", tmp_path).evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=upload)
    assert info.value.reason is Reason.INVALID_MODEL
    assert info.value.message.startswith(
        "the ONNX model disagrees with its own predictions on the public train split ("
    )
    assert info.value.message.endswith(f" of {len(train)} rows)")


def test_an_upload_carrying_another_models_predictions_is_refused(
    stores: dict[str, Path], tmp_path: Path, train: pd.DataFrame, pipelines: dict[str, Pipeline]
) -> None:
    honest = export_onnx(pipelines["logistic"], train, SCHEMA, output="label")
    other = pipelines["boosting"].predict(SCHEMA.coerce(train))
    swapped = write_container(_member(honest, "model.onnx"), {"label": to_plain_array(other)})
    with pytest.raises(EngineError, match="disagrees with its own predictions") as info:
        fresh(stores, "label", tmp_path).evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=swapped)
    assert info.value.reason is Reason.INVALID_MODEL


def test_a_bare_onnx_model_without_its_predictions_is_refused_as_h(
    stores: dict[str, Path], tmp_path: Path, train: pd.DataFrame, pipelines: dict[str, Pipeline]
) -> None:
    bare = _member(export_onnx(pipelines["logistic"], train, SCHEMA), "model.onnx")
    with pytest.raises(EngineError, match=r"has no parity_proba\.npy") as info:
        fresh(stores, "proba", tmp_path).evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=bare)
    assert info.value.reason is Reason.INVALID_MODEL


def test_an_onnx_group_model_picks_the_same_rows_as_the_tree(
    stores: dict[str, Path], tmp_path: Path, train: pd.DataFrame, pipelines: dict[str, Pipeline]
) -> None:
    X = SCHEMA.coerce(train)
    member = (X["marital_status"] == "Married").to_numpy()
    encode = ColumnTransformer([("cat", OrdinalEncoder(), list(CATEGORIES))])
    finder = fitted(Pipeline([("encode", encode), ("tree", DecisionTreeClassifier(max_depth=3))]), X, member)
    group = _member(export_onnx(finder, train, SCHEMA, group=True), "model.onnx")  # bare ONNX is fine
    store = fresh(stores, "label", tmp_path)
    evaluation = store.evaluate(group=group, model=export_onnx(pipelines["logistic"], train, SCHEMA))
    tree_mask = groups.evaluate(groups.parse_text(MARRIED, SCHEMA), store.frame("holdout"), SCHEMA)
    assert np.array_equal(evaluation.masks["holdout"], tree_mask)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (onnx_builders.with_external_initializer, "external file"),
        (onnx_builders.with_if, "subgraph"),
        (onnx_builders.with_custom_domain, "custom operators"),
    ],
)
def test_malicious_onnx_uploads_are_refused_in_the_sandbox(
    stores: dict[str, Path], tmp_path: Path, build: Callable[[], bytes], expected: str
) -> None:
    upload = write_container(build(), {"label": np.array(["<=50K"])})
    with pytest.raises(EngineError, match=expected) as info:
        fresh(stores, "label", tmp_path).evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=upload)
    assert info.value.reason is Reason.INVALID_MODEL


def test_skops_models_run_unchanged_with_a_parity_frame(stores: dict[str, Path], train: pd.DataFrame) -> None:
    model = base_model(train)  # a skops pipeline: it carries no predictions of its own
    frames = stores["label"] / "frames"
    job = PairJob(
        model=model,
        output="label",
        classes=SCHEMA.classes,
        splits={"holdout": SplitJob(frames / "holdout", np.ones(4000, dtype=bool))},
        parity_frame=frames / "train",
    )
    got = run_pair(job)["holdout"].predictions
    assert np.array_equal(got, canonical(load_model(model), read_frame(frames / "holdout"), "label"))


def test_the_sandbox_still_confines_children_after_onnxruntime_is_warmed(tmp_path: Path) -> None:
    prestart()
    pid = spawner.zygote_pid()
    assert pid is not None
    maps = Path(f"/proc/{pid}/maps").read_text()
    assert "onnxruntime_pybind11_state" in maps  # onnxruntime is loaded in the zygote ...
    assert "DeveloperTools" not in maps and "onnxruntime.db" not in maps  # ... without telemetry
    target = tmp_path / "escaped"
    assert _selftest("socket").startswith("denied")
    assert _selftest("write_file", arg=str(target)).startswith("denied")
    assert _selftest("read_passwd").startswith("denied")
    assert _selftest("fork").startswith("denied")
    assert not target.exists()


def _member(upload: bytes, name: str) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(upload)) as archive:
        return archive.read(name)
