"""Exporting a fitted estimator as an ONNX upload, with its parity files, checked as the server will.

``export_onnx`` converts with skl2onnx (LightGBM models, alone or in a pipeline, through onnxmltools'
converter when both are installed), adds the model's own predictions on the public train split (the
parity files, see ``scoring.formats.onnx.container``) and, unless ``verify=False``, loads the
result with the server's loader and runs the server's parity check on it, so a mis-conversion fails
here rather than after upload. Pure engine code: no Django. Needs skl2onnx (and onnxruntime for
``verify``), which the server itself does not need.

Input layouts (``scoring.formats.onnx.feeds``): ``"columns"`` (one input per feature column,
strings for categoricals; the default for a ``Pipeline`` or ``ColumnTransformer`` fitted on the
canonical frame) or ``"matrix"`` (one float input of every feature in schema order, categoricals as
their codes; the default for a bare estimator).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from scoring.frames import canonical_frame
from scoring.safe_load.predictions import Output, to_plain_array
from scoring.schema import Kind, Schema

Layout = Literal["columns", "matrix"]
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
MATRIX_INPUT = "X"


def export_onnx(
    estimator: Any,
    train: pd.DataFrame,
    schema: Schema,
    *,
    output: Output | None = None,
    layout: Layout | None = None,
    verify: bool = True,
    group: bool = False,
) -> bytes:
    """An ONNX upload (zip bytes) of ``estimator`` with its predictions on ``train``.

    ``train`` must be the whole public train split in file order (``train.csv``; extra columns such
    as the target are ignored). ``output`` picks the parity file to include (``"label"``,
    ``"proba"`` or ``"value"``); by default every kind the estimator gives. ``group=True`` exports a
    group model (a classifier whose positive class means member): only its labels, checked against
    its own classes. Raises ``scoring.errors.EngineError`` when the server would refuse the result
    (with ``verify``).
    """
    from scoring.formats.onnx.container import write_container

    frame = canonical_frame(train.reset_index(drop=True), schema)
    layout = layout or default_layout(estimator)
    inputs = frame if layout == "columns" or _fitted_on_frame(estimator) else feature_matrix(frame)
    kinds: tuple[Output, ...] = ("label",) if group else _kinds(estimator, schema, output)
    parity: dict[str, np.ndarray] = {kind: own_predictions(estimator, inputs, kind) for kind in kinds}
    if group and parity["label"].dtype == np.bool_:
        parity["label"] = parity["label"].astype(np.int64)  # ONNX class labels are ints or strings
    model = convert(estimator, schema, layout)
    upload = write_container(model, parity)
    if verify:
        verify_upload(upload, frame, None if group else schema.classes, kinds)
    return upload


def default_layout(estimator: Any) -> Layout:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    return "columns" if isinstance(estimator, Pipeline | ColumnTransformer) else "matrix"


def feature_matrix(frame: pd.DataFrame) -> np.ndarray:
    """Every feature in column order, categoricals as codes (NaN when missing): the matrix layout."""
    out = np.empty(frame.shape, dtype=np.float64)
    for index, name in enumerate(frame.columns):
        series = frame[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = np.asarray(series.cat.codes.to_numpy())
            out[:, index] = np.where(codes >= 0, codes, np.nan)
        else:
            out[:, index] = series.to_numpy(dtype=np.float64)
    return out


def own_predictions(estimator: Any, inputs: pd.DataFrame | np.ndarray, kind: Output) -> np.ndarray:
    """The estimator's predictions of ``kind`` as a plain array (never an object array)."""
    if kind == "proba":
        return np.asarray(estimator.predict_proba(inputs), dtype=np.float64)
    raw = to_plain_array(estimator.predict(inputs))
    return raw.astype(np.float64).reshape(-1) if kind == "value" else raw.reshape(-1)


def convert(estimator: Any, schema: Schema, layout: Layout) -> bytes:
    """The ONNX model of ``estimator`` (skl2onnx), taking inputs in ``layout``."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    if layout == "columns":
        column_type = {Kind.CATEGORICAL: StringTensorType}
        types: list[tuple[str, Any]] = [
            (c.name, column_type.get(c.kind, FloatTensorType)([None, 1])) for c in schema.columns
        ]
    else:
        types = [(MATRIX_INPUT, FloatTensorType([None, len(schema.columns)]))]
    _register_lightgbm()
    with _bool_attributes_as_ints():
        model = convert_sklearn(estimator, initial_types=types, target_opset=TARGET_OPSET)
    return bytes(model.SerializeToString())


def verify_upload(
    upload: bytes, frame: pd.DataFrame, classes: tuple[str, ...] | None, kinds: tuple[Output, ...]
) -> None:
    """Load ``upload`` as the server does (its static checks, then an onnxruntime session) and run
    the server's parity check for ``kinds`` (``classes``: the competition's; None for a group model,
    checked against its own classes)."""
    from scoring.formats.base import DEFAULT_MAX_BYTES
    from scoring.formats.onnx.parity import check_model
    from scoring.formats.onnx.runtime import load_onnx
    from scoring.safe_load.canonical import check_capabilities, predict
    from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED

    model = load_onnx(upload, max_bytes=DEFAULT_MAX_BYTES, max_uncompressed=DEFAULT_MAX_UNCOMPRESSED)
    check_capabilities(model, needs_proba="proba" in kinds)
    if classes is None:
        classes = _own_classes(model)
    everyone = np.ones(len(frame), dtype=bool)
    for kind in kinds:
        check_model(model, kind, classes, partial(predict, model, frame, everyone, classes=classes))


def _kinds(estimator: Any, schema: Schema, output: Output | None) -> tuple[Output, ...]:
    if output is not None:
        return (output,)
    if not schema.task.is_classification:
        return ("value",)
    try:
        has_proba = callable(getattr(estimator, "predict_proba", None))
    except Exception:  # sklearn's available_if may raise while deciding
        has_proba = False
    return ("label", "proba") if has_proba else ("label",)


def _own_classes(estimator: Any) -> tuple[str, ...]:
    """A classifier's classes as the engine spells labels (1 -> "1", "a" -> "a")."""
    return tuple(str(value) for value in to_plain_array(estimator.classes_).tolist())


def _fitted_on_frame(estimator: Any) -> bool:
    try:
        return hasattr(estimator, "feature_names_in_")
    except Exception:
        return False


def _register_lightgbm() -> None:
    """Let skl2onnx convert LightGBM models (alone or in pipelines) with onnxmltools' converter."""
    try:
        from lightgbm import LGBMClassifier, LGBMRegressor
        from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
        from skl2onnx import update_registered_converter
        from skl2onnx.common.shape_calculator import (
            calculate_linear_classifier_output_shapes,
            calculate_linear_regressor_output_shapes,
        )
    except ImportError:
        return
    options = {"nocl": [True, False], "zipmap": [True, False, "columns"]}
    update_registered_converter(
        LGBMClassifier,
        "LightGbmLGBMClassifier",
        calculate_linear_classifier_output_shapes,
        convert_lightgbm,
        options=options,
    )
    update_registered_converter(
        LGBMRegressor, "LightGbmLGBMRegressor", calculate_linear_regressor_output_shapes, convert_lightgbm
    )


@contextlib.contextmanager
def _bool_attributes_as_ints() -> Iterator[None]:
    """skl2onnx (<= 1.20) passes Python booleans in integer-list attributes of HistGradientBoosting
    trees, which recent onnx releases reject; turn them into 0/1 while converting."""
    from onnx import helper

    original = helper.make_attribute

    def patched(key: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, list | tuple) and any(isinstance(v, bool | np.bool_) for v in value):
            value = [int(v) for v in value]
        return original(key, value, *args, **kwargs)

    helper.make_attribute = patched
    try:
        yield
    finally:
        helper.make_attribute = original
