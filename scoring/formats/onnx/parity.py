"""The parity check: an ONNX upload must predict, on the public train split, what the model it was
converted from predicted there (the ``parity_*.npy`` it carries).

It catches silent mis-conversions (a converter that ignores native categorical splits, a wrong input
order, float rounding that flips labels). Both sides are brought to the engine's canonical form first
(class codes, probabilities in schema order), then compared: labels exactly, probabilities within
``PROBA_TOL`` per entry, values within ``VALUE_TOL`` relative to ``max(1, |value|)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from scoring.errors import EngineError, Reason
from scoring.formats.onnx.container import PARITY_NAMES
from scoring.safe_load.predictions import Output, to_plain_array, validate_predictions

PROBA_TOL = 1e-4
VALUE_TOL = 1e-4


def _refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def expected_predictions(
    parity: dict[str, np.ndarray], *, output: Output, classes: tuple[str, ...], model_classes: Any
) -> np.ndarray:
    """The canonical form of the upload's own predictions of kind ``output``."""
    raw = parity.get(output)
    if raw is None:
        raise _refuse(
            f"The ONNX upload has no {PARITY_NAMES[output]}: its model's own predictions on the public "
            "train split, which this competition checks the model against (see docs/model-formats.md)."
        )
    try:
        return validate_predictions(
            raw,
            output=output,
            n_rows=len(raw),
            classes=classes,
            model_classes=None if model_classes is None else to_plain_array(model_classes),
        )
    except EngineError as exc:
        raise _refuse(f"{PARITY_NAMES[output]} does not hold valid predictions: {exc.message}") from exc


def disagreements(got: np.ndarray, want: np.ndarray, output: Output) -> int:
    """How many rows of canonical predictions ``got`` differ from ``want``."""
    if output == "label":
        return int(np.count_nonzero(got != want))
    if output == "proba":
        return int(np.count_nonzero(np.abs(got - want).max(axis=1, initial=0.0) > PROBA_TOL))
    scale = np.maximum(1.0, np.abs(want))
    return int(np.count_nonzero(np.abs(got - want) > VALUE_TOL * scale))


def check_parity(got: np.ndarray, want: np.ndarray, output: Output) -> None:
    """Refuse the upload unless the canonical predictions ``got`` match its own ``want``."""
    if len(want) != len(got):
        raise _refuse(
            f"{PARITY_NAMES[output]} holds {len(want):,} rows; the public train split has {len(got):,} "
            "(predict on every row of train.csv, in file order)."
        )
    wrong = disagreements(got, want, output)
    if wrong:
        raise _refuse(
            "the ONNX model disagrees with its own predictions on the public train split "
            f"({wrong} of {len(got)} rows)"
        )


def check_label_parity(
    got: np.ndarray, want: np.ndarray, got_proba: np.ndarray, want_proba: np.ndarray
) -> None:
    """Labels checked with the upload's probabilities as evidence: every probability must match within
    ``PROBA_TOL``, and a label may differ only where the original model sat on a near-tie (its two
    top probabilities within ``2 * PROBA_TOL``), which float32 inference can tip either way. A real
    mis-conversion changes probabilities, so it is still refused."""
    check_parity(got_proba, want_proba, "proba")
    if len(want) != len(got):
        check_parity(got, want, "label")
    top_two = np.sort(want_proba, axis=1)[:, -2:]
    tie = (top_two[:, 1] - top_two[:, 0]) <= 2 * PROBA_TOL
    wrong = int(np.count_nonzero((got != want) & ~tie))
    if wrong:
        raise _refuse(
            "the ONNX model disagrees with its own predictions on the public train split "
            f"({wrong} of {len(got)} rows)"
        )


def check_model(
    model: Any, output: Output, classes: tuple[str, ...], canonical: Callable[[Output], np.ndarray]
) -> None:
    """Refuse the ``OnnxModel`` ``model`` unless its canonical predictions of ``output`` on the public
    train split (``canonical(kind)``) match those its upload carries. Labels are checked with the
    probabilities as evidence when the upload carries both (``check_label_parity``)."""
    model_classes = model.signature.classes if output == "proba" else None
    want = expected_predictions(model.parity, output=output, classes=classes, model_classes=model_classes)
    got = canonical(output)
    signature = model.signature
    if output == "label" and "proba" in model.parity and signature.proba_output is not None:
        want_proba = expected_predictions(
            model.parity, output="proba", classes=classes, model_classes=signature.classes
        )
        check_label_parity(got, want, canonical("proba"), want_proba)
        return
    check_parity(got, want, output)
