"""Feeding an ONNX model from the canonical frame (``Schema.coerce``): the accepted input conventions.

1. **One input per feature column**, named exactly like the column, shaped ``[N, 1]`` (or ``[N]``);
   a model may take any subset of the columns. Its declared type decides what it gets:

   - numeric and boolean columns: ``float`` or ``double`` (missing values are NaN, booleans 0/1);
   - categorical columns: ``string`` gives the category text (``""`` when missing), ``int64`` /
     ``int32`` the category code, i.e. its position in the schema's list of values (-1 when
     missing), ``float`` / ``double`` the same code as a number (NaN when missing).

   This is what skl2onnx makes of a ``Pipeline`` whose ``ColumnTransformer`` picks columns by name
   when converted with one ``initial_type`` per column (``scoring.export`` does that).
2. **One matrix input** (any name) of type ``float`` or ``double`` shaped ``[N, n_features]``: every
   feature column in schema order, categorical columns as their codes (NaN when missing). This is
   what onnxmltools makes of a LightGBM model trained on the codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from onnx import TensorProto

from scoring.formats.onnx.check import refuse
from scoring.formats.onnx.signature import FLOAT_TYPES, InputSpec

_NUMPY_TYPES: dict[int, np.dtype[Any]] = {
    int(TensorProto.FLOAT): np.dtype(np.float32),
    int(TensorProto.DOUBLE): np.dtype(np.float64),
    int(TensorProto.INT64): np.dtype(np.int64),
    int(TensorProto.INT32): np.dtype(np.int32),
}
_TYPE_NAMES: dict[int, str] = {
    int(TensorProto.FLOAT): "float",
    int(TensorProto.DOUBLE): "double",
    int(TensorProto.INT64): "int64",
    int(TensorProto.INT32): "int32",
    int(TensorProto.STRING): "string",
}


def build_feeds(inputs: Sequence[InputSpec], frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The arrays to feed the model for the rows of ``frame`` (one of the two conventions)."""
    if _by_column(inputs, frame):
        return {spec.name: _shaped(_column(spec, frame[spec.name]), spec) for spec in inputs}
    if len(inputs) == 1:
        return {inputs[0].name: _matrix(inputs[0], frame)}
    missing = [spec.name[:40] for spec in inputs if spec.name not in frame.columns]
    shown = ", ".join(repr(name) for name in missing[:5])
    raise refuse(
        f"The ONNX model takes inputs that are not feature columns of this competition ({shown}); "
        "name each input after a column, or take a single matrix of every feature."
    )


def _by_column(inputs: Sequence[InputSpec], frame: pd.DataFrame) -> bool:
    if not all(spec.name in frame.columns for spec in inputs):
        return False
    return len(inputs) > 1 or inputs[0].rank == 1 or inputs[0].width in (None, 1)


def _shaped(values: np.ndarray, spec: InputSpec) -> np.ndarray:
    return values if spec.rank == 1 else values.reshape(-1, 1)


def _column(spec: InputSpec, series: pd.Series) -> np.ndarray:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _categorical(spec, series)
    if spec.elem_type not in FLOAT_TYPES:
        raise refuse(
            f"The ONNX model's input {spec.name[:40]!r} is declared {_TYPE_NAMES[spec.elem_type]}, but "
            "that column holds numbers (missing values are NaN); declare it float or double."
        )
    return np.asarray(series.to_numpy(dtype=np.float64), dtype=_NUMPY_TYPES[spec.elem_type])


def _categorical(spec: InputSpec, series: pd.Series) -> np.ndarray:
    codes = np.asarray(series.cat.codes.to_numpy())
    if spec.elem_type == TensorProto.STRING:
        texts = [str(c) for c in series.cat.categories] + [""]
        return np.asarray(texts, dtype=object)[codes]  # code -1 picks the trailing ""
    if spec.elem_type in FLOAT_TYPES:
        return _codes_as_numbers(codes, _NUMPY_TYPES[spec.elem_type])
    return codes.astype(_NUMPY_TYPES[spec.elem_type])


def _codes_as_numbers(codes: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    values = codes.astype(dtype)
    values[codes < 0] = np.nan
    return values


def _matrix(spec: InputSpec, frame: pd.DataFrame) -> np.ndarray:
    n_columns = frame.shape[1]
    if spec.elem_type not in FLOAT_TYPES or spec.rank != 2:
        raise refuse(
            f"The ONNX model's single input {spec.name[:40]!r} must be a float or double matrix "
            "[rows, features], or be named after a feature column."
        )
    if spec.width is not None and spec.width != n_columns:
        raise refuse(
            f"The ONNX model's input {spec.name[:40]!r} takes {spec.width} features; this competition "
            f"has {n_columns} (every feature column, in schema order)."
        )
    dtype = _NUMPY_TYPES[spec.elem_type]
    out = np.empty((len(frame), n_columns), dtype=dtype)
    for index, name in enumerate(frame.columns):
        series = frame[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            out[:, index] = _codes_as_numbers(np.asarray(series.cat.codes.to_numpy()), dtype)
        else:
            out[:, index] = series.to_numpy(dtype=np.float64)
    return out
