"""``export_model``: a file the server's safe loader takes, or a refusal before upload."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bounty_client import export_model
from sklearn.base import BaseEstimator, ClassifierMixin

from scoring import formats
from scoring.errors import EngineError, Reason
from scoring.formats import format_name, load_model, registry
from tests.client.world import SCHEMA, world


class HomeMade(ClassifierMixin, BaseEstimator):
    """A participant's own class: not on the platform's allowlist."""

    def fit(self, X: Any, y: Any) -> HomeMade:
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), self.classes_[0])


def test_exported_file_loads_with_the_safe_loader_and_predicts_the_same(tmp_path: Path) -> None:
    w = world()
    path = export_model(w.h, tmp_path / "h.skops", train=w.train, schema=SCHEMA)
    loaded = load_model(path.read_bytes())
    frame = SCHEMA.coerce(w.train)
    assert np.array_equal(loaded.predict(frame), w.h.predict(frame))


def test_class_outside_the_allowlist_is_refused_and_nothing_written(tmp_path: Path) -> None:
    target = tmp_path / "mine.skops"
    with pytest.raises(EngineError) as info:
        export_model(HomeMade().fit([[0], [1]], ["no", "yes"]), target)
    assert info.value.reason is Reason.INVALID_MODEL
    assert not target.exists()


def test_model_predicting_labels_outside_the_schema_is_refused(tmp_path: Path) -> None:
    from sklearn.dummy import DummyClassifier

    w = world()
    frame = SCHEMA.coerce(w.train)
    odd = DummyClassifier(strategy="constant", constant="maybe").fit(frame, ["maybe"] * len(frame))
    with pytest.raises(EngineError) as info:
        export_model(odd, tmp_path / "odd.skops", train=w.train, schema=SCHEMA.to_json())
    assert info.value.reason is Reason.PREDICTION_ERROR


def test_proba_competitions_need_predict_proba(tmp_path: Path) -> None:
    from sklearn.svm import SVC

    w = world()
    frame = SCHEMA.coerce(w.train).fillna({"age": 40.0})
    svc = SVC().fit(frame[["age", "member"]].fillna(0), w.train["y"])
    with pytest.raises(EngineError) as info:
        export_model(svc, tmp_path / "svc.skops", needs_proba=True)
    assert info.value.reason is Reason.INVALID_MODEL


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export_model(world().h, tmp_path / "h.bin", format="pickle")  # type: ignore[arg-type]


def test_an_onnx_export_is_an_onnx_upload_whatever_the_file_is_called(tmp_path: Path) -> None:
    w = world()
    path = export_model(w.h, tmp_path / "h.skops", format="onnx", train=w.train, schema=SCHEMA)
    assert format_name(path.read_bytes()) == "onnx"
    frame = SCHEMA.coerce(w.train)
    assert np.array_equal(load_model(path.read_bytes()).predict(frame), w.h.predict(frame))


def test_the_format_and_its_exporter_come_from_the_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported: list[str] = []

    def export(estimator: Any, *, train: Any, schema: Any) -> bytes:
        exported.append(type(estimator).__name__)
        return formats.get("skops").export(estimator, train=train, schema=schema)

    copy = dataclasses.replace(formats.get("skops"), name="skops-copy", export=export)
    monkeypatch.setattr(registry, "REGISTRY", (*registry.REGISTRY, copy))
    path = export_model(world().h, tmp_path / "h.bin", format="skops-copy")
    assert exported == ["Pipeline"]
    assert format_name(path.read_bytes()) == "skops"
