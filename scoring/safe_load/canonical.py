"""A loaded model's canonical predictions, and whether it can make the ones a competition needs.

``predict`` is the one path from a loaded model (of any format) to the engine's arrays: the sandbox's
child, the participant's local check, a format's warm-up and parity check all use it. Labels take a
fast path (``_label_codes``) that gives exactly what ``validate_predictions`` gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import EngineError, Reason
from scoring.safe_load.predictions import Output, to_plain_array, validate_predictions


def _refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def _callable_attr(model: Any, name: str) -> bool:
    try:
        return callable(getattr(model, name, None))
    except Exception:  # sklearn's available_if may raise while deciding
        return False


def check_capabilities(model: Any, *, needs_proba: bool) -> None:
    """Refuse a loaded object that cannot ``predict`` (or ``predict_proba`` when needed)."""
    kind = type(model).__name__
    if not _callable_attr(model, "predict"):
        raise _refuse(f"The uploaded object ({kind}) has no predict method; upload a fitted model.")
    if needs_proba and not _callable_attr(model, "predict_proba"):
        raise _refuse(
            f"The uploaded model ({kind}) has no predict_proba method, which this competition "
            "needs (e.g. fit SVC with probability=True)."
        )


def predict(
    model: Any, frame: pd.DataFrame, mask: np.ndarray, output: Output, classes: tuple[str, ...]
) -> np.ndarray:
    """Canonical predictions of ``model`` on the rows of ``frame`` where ``mask`` holds."""
    rows = frame if bool(mask.all()) else frame[mask]
    n_rows = len(rows)
    if n_rows == 0:
        return _empty(output, len(classes))
    raw = model.predict_proba(rows) if output == "proba" else model.predict(rows)
    if output == "label":
        fast = _label_codes(raw, n_rows, classes)
        if fast is not None:
            return fast
    model_classes = None
    if output == "proba":
        model_classes = to_plain_array(getattr(model, "classes_", None))
    return validate_predictions(
        to_plain_array(raw),
        output=output,
        n_rows=n_rows,
        classes=classes,
        model_classes=model_classes,
    )


def _label_codes(raw: Any, n_rows: int, classes: tuple[str, ...]) -> np.ndarray | None:
    """Class codes through a hash factorization, validating only the distinct labels.

    Gives exactly what ``validate_predictions`` gives on the whole array, without turning every label
    into a Python object or sorting them; ``None`` (use the full path, which says what is wrong) when
    the output is not a flat array of present values.
    """
    arr = np.asarray(raw)
    if arr.shape != (n_rows,) or arr.dtype.kind not in "OUSbiu":
        return None
    if arr.dtype.kind == "U" and len(classes) <= _EQ_CLASSES:
        return _text_codes(arr, classes)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if (codes < 0).any():
        return None
    distinct = np.asarray(uniques, dtype=arr.dtype if arr.dtype != object else object)
    mapped = validate_predictions(
        to_plain_array(distinct), output="label", n_rows=len(distinct), classes=classes, model_classes=None
    )
    return mapped[codes]


_EQ_CLASSES = 8  # up to this many classes, comparing to each beats hashing every label


def _text_codes(arr: np.ndarray, classes: tuple[str, ...]) -> np.ndarray | None:
    """Codes of a text array by comparing it with each class name (a label equal to class k is
    exactly what the full path maps to k); ``None`` when some label is none of them."""
    codes = np.full(arr.shape, -1, dtype=np.int64)
    for index, name in enumerate(classes):
        codes[arr == name] = index
    return None if (codes < 0).any() else codes


def _empty(output: Output, n_classes: int) -> np.ndarray:
    if output == "label":
        return np.empty(0, dtype=np.int64)
    if output == "proba":
        return np.empty((0, n_classes), dtype=np.float64)
    return np.empty(0, dtype=np.float64)
