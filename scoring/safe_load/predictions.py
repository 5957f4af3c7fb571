"""Check a model's raw output and bring it to the engine's canonical form.

``validate_predictions`` also runs in the parent process on arrays sent back by the sandbox child,
so it trusts nothing about them: object, void and structured dtypes are refused outright. The child
uses ``to_plain_array`` first, which turns the object arrays scikit-learn returns for string labels
into plain string arrays.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from scoring.errors import EngineError, Reason

Output = Literal["label", "proba", "value"]
RANGE_TOL = 1e-6
SUM_TOL = 1e-3
_KINDS = {"label": "biufU", "proba": "biuf", "value": "biuf"}


def _fail(message: str) -> EngineError:
    return EngineError(Reason.PREDICTION_ERROR, message)


def _shown(values: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(v[:40]) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _plain(raw: Any, what: str, kinds: str) -> np.ndarray:
    if type(raw) is not np.ndarray:
        raise _fail(f"The model's {what} came back as {type(raw).__name__}, not a numpy array.")
    dtype = raw.dtype
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind in "OVSMmc":
        raise _fail(f"The model's {what} have dtype {dtype}, which is not allowed here.")
    if dtype.kind not in kinds:
        raise _fail(f"The model's {what} have dtype {dtype}; expected {_describe(kinds)}.")
    return raw


def _describe(kinds: str) -> str:
    return "numbers or strings" if "U" in kinds else "numbers"


def _column(arr: np.ndarray, n_rows: int, what: str) -> np.ndarray:
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.shape != (n_rows,):
        raise _fail(f"The model's {what} have shape {arr.shape}; expected ({n_rows},).")
    return arr


def _as_strings(values: np.ndarray, what: str) -> list[str]:
    """Canonical text of 1-D label values: 1 -> "1", 1.0 -> "1", True -> "True", "a" -> "a"."""
    kind = values.dtype.kind
    if kind == "b":
        return ["True" if v else "False" for v in values.tolist()]
    if kind in "iu":
        return [str(int(v)) for v in values.tolist()]
    if kind == "f":
        if not np.all(np.isfinite(values)):
            raise _fail(f"The model's {what} include NaN or infinite values.")
        return [str(int(v)) if float(v).is_integer() else repr(float(v)) for v in values.tolist()]
    return [str(v) for v in values.tolist()]


def _labels(raw: np.ndarray, n_rows: int, classes: tuple[str, ...]) -> np.ndarray:
    arr = _column(_plain(raw, "labels", _KINDS["label"]), n_rows, "labels")
    uniques, inverse = np.unique(arr, return_inverse=True)
    names = _as_strings(uniques, "labels")
    lookup = {c: i for i, c in enumerate(classes)}
    unknown = [name for name in names if name not in lookup]
    if unknown:
        raise _fail(
            f"The model predicted {_shown(unknown)}, which is not one of the classes "
            f"{_shown(list(classes), 20)}."
        )
    codes = np.asarray([lookup[name] for name in names], dtype=np.int64)
    return codes[inverse.reshape(-1)]


def _column_order(model_classes: np.ndarray | None, width: int, classes: tuple[str, ...]) -> np.ndarray:
    """Schema index of each probability column."""
    if model_classes is None:
        if width != len(classes):
            raise _fail(f"The model gave {width} probability columns for {len(classes)} classes.")
        return np.arange(width)
    known = _plain(model_classes, "classes", _KINDS["label"])
    if known.shape != (width,):
        raise _fail(f"The model lists {known.size} classes but gave {width} probability columns.")
    names = _as_strings(known, "classes")
    if len(set(names)) != len(names):
        raise _fail("The model lists the same class twice.")
    lookup = {c: i for i, c in enumerate(classes)}
    unknown = [name for name in names if name not in lookup]
    if unknown:
        raise _fail(f"The model knows class {_shown(unknown)}, which this competition does not.")
    return np.asarray([lookup[name] for name in names], dtype=np.int64)


def _proba(
    raw: np.ndarray, n_rows: int, classes: tuple[str, ...], model_classes: np.ndarray | None
) -> np.ndarray:
    arr = _plain(raw, "probabilities", _KINDS["proba"])
    if arr.ndim != 2 or arr.shape[0] != n_rows:
        raise _fail(f"The model's probabilities have shape {arr.shape}; expected ({n_rows}, k).")
    order = _column_order(model_classes, arr.shape[1], classes)
    values = arr.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise _fail("The model's probabilities include NaN or infinite values.")
    if values.size and (values.min() < -RANGE_TOL or values.max() > 1 + RANGE_TOL):
        raise _fail("The model's probabilities fall outside [0, 1].")
    values = np.clip(values, 0.0, 1.0)
    sums = values.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > SUM_TOL):
        row = int(np.argmax(np.abs(sums - 1.0)))
        raise _fail(f"The model's probabilities for row {row} sum to {sums[row]:.6g}, not 1.")
    out = np.zeros((n_rows, len(classes)), dtype=np.float64)
    out[:, order] = values / sums[:, None]
    return out


def _values(raw: np.ndarray, n_rows: int) -> np.ndarray:
    arr = _column(_plain(raw, "predictions", _KINDS["value"]), n_rows, "predictions")
    values = arr.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise _fail("The model's predictions include NaN or infinite values.")
    return values


def validate_predictions(
    raw: np.ndarray,
    *,
    output: Output,
    n_rows: int,
    classes: tuple[str, ...],
    model_classes: np.ndarray | None,
) -> np.ndarray:
    """Canonical predictions, or ``EngineError(PREDICTION_ERROR)``.

    - ``"label"``: int64 class codes in schema order, shape ``(n_rows,)``; labels are compared as
      text, so ``0``/``1`` match classes ``("0", "1")`` and ``True`` matches ``"True"``.
    - ``"proba"``: float64 ``(n_rows, len(classes))``, columns moved from ``model_classes`` order
      to schema order (classes the model never saw get 0); clipped to [0, 1], rows renormalised.
    - ``"value"``: finite float64 ``(n_rows,)``.
    """
    if output == "label":
        return _labels(raw, n_rows, classes)
    if output == "proba":
        return _proba(raw, n_rows, classes, model_classes)
    if output == "value":
        return _values(raw, n_rows)
    raise ValueError(f"unknown output kind {output!r}")


def _plain_items(items: list[Any]) -> np.ndarray | None:
    if all(isinstance(x, str) for x in items):
        return np.asarray([str(x) for x in items], dtype=str)
    if all(isinstance(x, bool | np.bool_) for x in items):
        return np.asarray(items, dtype=bool)
    if all(isinstance(x, int | np.integer) and not isinstance(x, bool) for x in items):
        try:
            return np.asarray(items, dtype=np.int64)
        except OverflowError:
            return None
    if all(isinstance(x, int | float | np.integer | np.floating) for x in items):
        return np.asarray(items, dtype=np.float64)
    return None


def to_plain_array(raw: Any) -> np.ndarray:
    """Child side: a model output as an array with a plain dtype (no objects).

    scikit-learn returns object arrays for string labels (``predict`` and ``classes_``); those
    become unicode arrays. Object arrays of anything but str / bool / int / float are refused.
    """
    arr = np.asarray(raw)
    if arr.dtype != object:
        return arr
    plain = _plain_items(arr.ravel().tolist())
    if plain is None:
        kinds = sorted({type(x).__name__ for x in arr.ravel().tolist()})
        raise _fail(f"The model returned values of types {_shown(kinds)}; expected plain labels.")
    return plain.reshape(arr.shape)
