"""Every trusted estimator round-trips through the safe loader; the allowlist stays tight."""

from __future__ import annotations

import importlib
import io
import json
import zipfile
from typing import Any

import numpy as np
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError

from scoring.formats import load_model
from scoring.safe_load import TRUSTED_TYPES
from scoring.safe_load.trusted import CONDITIONAL_TYPES
from tests.engine.model_zoo import fitted_zoo, zoo_names

pytestmark = pytest.mark.engine


# --- trusted models round-trip ----------------------------------------------------------------


@pytest.mark.parametrize("name", zoo_names())
def test_trusted_model_round_trips_and_predicts_identically(name: str) -> None:
    entry = fitted_zoo()[name]
    loaded = load_model(skops.io.dumps(entry.model))
    assert type(loaded) is type(entry.model)
    np.testing.assert_array_equal(loaded.predict(entry.X), entry.model.predict(entry.X))
    if entry.task != "regression" and hasattr(entry.model, "predict_proba"):
        expected = entry.model.predict_proba(entry.X)
        np.testing.assert_allclose(loaded.predict_proba(entry.X), expected, rtol=0, atol=1e-12)


def test_compressed_skops_files_load() -> None:
    entry = fitted_zoo()["logistic"]
    data = skops.io.dumps(entry.model, compression=zipfile.ZIP_DEFLATED)
    assert len(data) < len(skops.io.dumps(entry.model))
    np.testing.assert_array_equal(load_model(data).predict(entry.X), entry.model.predict(entry.X))


def _saved_types(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        stack: list[Any] = [json.loads(archive.read("schema.json"))]
    names: set[str] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "__loader__" in value and value["__loader__"] != "JsonNode":
                names.add(f"{value['__module__']}.{value['__class__']}")
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return names


@pytest.fixture(scope="module")
def zoo_types() -> set[str]:
    return set().union(*(_saved_types(skops.io.dumps(z.model)) for z in fitted_zoo().values()))


def test_trusted_list_covers_every_type_the_zoo_saves(zoo_types: set[str]) -> None:
    assert zoo_types - set(TRUSTED_TYPES) - set(CONDITIONAL_TYPES) == set()


def test_every_scikit_learn_type_on_the_list_is_exercised_by_the_zoo(zoo_types: set[str]) -> None:
    listed = {name for name in TRUSTED_TYPES if name.startswith("sklearn.")}
    assert listed - zoo_types == set()


def _resolve(name: str) -> Any:
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("name", TRUSTED_TYPES)
def test_every_trusted_name_is_a_class(name: str) -> None:
    assert isinstance(_resolve(name), type)


CALLABLE_BEARING = [
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.compose._target.TransformedTargetRegressor",
    "functools.partial",
    "builtins.eval",
    "builtins.exec",
    "builtins.getattr",
    "builtins.__import__",
    "builtins.open",
    "builtins.type",
    "numpy.load",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
]


@pytest.mark.parametrize("name", CALLABLE_BEARING)
def test_nothing_callable_bearing_is_trusted(name: str) -> None:
    assert name not in TRUSTED_TYPES


@pytest.mark.parametrize("prefix", ["operator.", "subprocess.", "os.", "posix.", "sys.", "pickle."])
def test_no_trusted_type_comes_from_a_dangerous_module(prefix: str) -> None:
    assert not [name for name in TRUSTED_TYPES if name.startswith(prefix)]


def test_unfitted_models_load_and_fail_only_when_called() -> None:
    model = load_model(skops.io.dumps(RandomForestClassifier()))
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((1, 2)))
