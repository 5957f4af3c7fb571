"""Child side, after the seccomp filter is on: load the models, check an ONNX model against its own
train-split predictions (the parity check), find the group's rows, predict."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from scoring import formats
from scoring.errors import EngineError, Reason
from scoring.formats import load_model
from scoring.safe_load.canonical import check_capabilities, predict
from scoring.safe_load.predictions import to_plain_array
from scoring.sandbox.limits import HIDDEN_CHECK, Output
from scoring.sandbox.protocol import array_to_npy, codes_to_npy


@dataclass(frozen=True)
class SplitInput:
    name: str
    frame: pd.DataFrame
    mask: np.ndarray | None


@dataclass(frozen=True)
class PairInput:
    model: bytes
    group_model: bytes | None
    output: Output
    classes: tuple[str, ...]
    max_model_bytes: int
    splits: Sequence[SplitInput]
    parity: pd.DataFrame | None = None  # the public train split, for the parity check
    public: bool = False  # every split is public rows: failures are worded in full (``on_public_rows``)


def load(pair: PairInput) -> tuple[dict[str, Any], list[bytearray]]:
    """The result message of a frameless run: the models load and pass their checks."""
    _load_models(pair)
    return {"status": "ok", "splits": []}, []


def _load_models(pair: PairInput) -> tuple[Any, Any]:
    model = load_model(pair.model, max_bytes=pair.max_model_bytes)
    check_capabilities(model, needs_proba=pair.output == "proba")
    if pair.parity is not None:
        check_parity(model, pair.parity, pair.output, pair.classes)
    group = None
    if pair.group_model is not None:
        group = load_model(pair.group_model, max_bytes=pair.max_model_bytes)
        check_capabilities(group, needs_proba=False)
        _group_classes(group)
    return model, group


def run(pair: PairInput) -> tuple[dict[str, Any], list[bytearray]]:
    """The result message: for each split, the group mask (empty when the parent sent it) and h's
    canonical predictions on it (class codes in the narrowest integer type that holds them)."""
    model, group = _load_models(pair)
    blobs: list[bytearray] = []
    for split in pair.splits:
        mask, predictions = _split_run(pair, model, group, split)
        blobs += [bytearray() if split.mask is not None else array_to_npy(mask), _npy(predictions, pair)]
    return {"status": "ok", "splits": [s.name for s in pair.splits]}, blobs


def _split_run(pair: PairInput, model: Any, group: Any, split: SplitInput) -> tuple[np.ndarray, np.ndarray]:
    """The group's rows of one split and h's predictions on them, a batch of rows at a time."""
    frame, mask = split.frame, split.mask
    if mask is None:
        in_group = partial(_by_rows, lambda r: group_mask(group, frame.iloc[r]), len(frame))
        mask = _guarded(pair, group, "group_model", in_group)
    rows = mask
    on = partial(
        _by_rows, lambda r: predict(model, frame.iloc[r], rows[r], pair.output, pair.classes), len(frame)
    )
    return mask, _guarded(pair, model, "model", on)


# Rows a model predicts at once: a model's own copies of its input (object arrays, one-hot matrices)
# stay this size whatever the split's, so ten million rows fit in the child's memory limit.
BATCH_ROWS = 500_000


def _by_rows(call: Callable[[slice], np.ndarray], n_rows: int) -> np.ndarray:
    """``call(rows)`` on consecutive row ranges, joined in row order: what one call on every row gives
    (predictions are row by row)."""
    if n_rows <= BATCH_ROWS:
        return call(slice(0, n_rows))
    return np.concatenate([call(slice(lo, lo + BATCH_ROWS)) for lo in range(0, n_rows, BATCH_ROWS)])


def _guarded(pair: PairInput, estimator: Any, field: str, call: Callable[[], np.ndarray]) -> np.ndarray:
    """``call()``; its failure without its words on hidden rows, in full on public ones."""
    try:
        return call()
    except EngineError as exc:
        raise (exc if pair.public else hidden_failure(exc)) from None
    except Exception as exc:
        if not pair.public:
            raise
        raise on_public_rows(exc, estimator, field=field) from None


def on_public_rows(exc: Exception, model: Any, *, field: str = "model") -> EngineError:
    """What a model's failure on public rows (the train split) is, in full: the exception's own words
    (scikit-learn names the missing or unexpected columns), led by a hint when the model was fitted on
    an array without column names. The platform's pre-check and ``bounty check`` both word it so.
    ``field`` is ``"group_model"`` when the group's classifier failed."""
    who = "The group model" if field == "group_model" else "The model"
    if isinstance(exc, MemoryError):
        return EngineError(Reason.RESOURCE_LIMIT, f"{who} ran out of memory.", field=field)
    detail = " ".join(str(exc).split()).replace(_SKLEARN_NAMES_PREFIX, "").strip()
    about_columns = any(word in detail.lower() for word in ("feature", "column"))
    reason = Reason.SCHEMA_MISMATCH if about_columns else Reason.PREDICTION_ERROR
    hint = ""
    if _fitted_without_names(model):
        reason = Reason.SCHEMA_MISMATCH
        hint = (
            f"{who} was fitted without column names (on a NumPy array?): fit it on a pandas "
            "DataFrame with the competition's columns. "
        )
    message = f"{hint}{who} raised {type(exc).__name__} while predicting: {detail}"
    return EngineError(reason, message, field=field)


_SKLEARN_NAMES_PREFIX = "The feature names should match those that were passed during fit."


def _fitted_without_names(model: Any) -> bool:
    """A scikit-learn model that knows how many features it was fitted on, but not their names."""
    return hasattr(model, "n_features_in_") and not hasattr(model, "feature_names_in_")


def _npy(predictions: np.ndarray, pair: PairInput) -> bytearray:
    if pair.output == "label":
        return codes_to_npy(predictions, len(pair.classes))
    return array_to_npy(predictions)


def hidden_failure(exc: EngineError) -> EngineError:
    """``exc`` without its message: a refusal raised on the hidden rows may quote what the model
    returned there (labels, shapes), which would carry holdout information back to the participant."""
    if exc.reason is Reason.PREDICTION_ERROR:
        message = f"The model's output on the hidden rows is not valid predictions. {HIDDEN_CHECK}"
    else:
        message = f"The pair could not be evaluated on the hidden rows ({exc.reason.value}). {HIDDEN_CHECK}"
    return EngineError(exc.reason, message, field=exc.field)


def check_parity(model: Any, frame: pd.DataFrame, output: Output, classes: tuple[str, ...]) -> None:
    """Refuse a model whose format checks parity (ONNX) when its predictions on ``frame`` (the public
    train split) differ from the ones its upload carries; other models pass."""
    model_format = formats.of_model(model)
    if model_format is None or model_format.parity is None:
        return
    everyone = np.ones(len(frame), dtype=bool)
    model_format.parity(model, output, classes, partial(predict, model, frame, everyone, classes=classes))


def group_mask(group: Any, frame: pd.DataFrame) -> np.ndarray:
    """The rows a group classifier puts in the group: its positive class is True, else 1, else
    the last of its two ``classes_``."""
    if group is None:
        raise EngineError(Reason.INVALID_GROUP, "A split has neither a group mask nor a group model.")
    classes = _group_classes(group)
    raw = to_plain_array(group.predict(frame))
    if raw.shape != (len(frame),) or raw.dtype.kind not in "biufU":
        raise EngineError(Reason.PREDICTION_ERROR, "The group model's predictions have a bad shape.")
    if not np.isin(raw, classes).all():
        raise EngineError(Reason.PREDICTION_ERROR, "The group model predicted an unknown class.")
    return np.asarray(raw == classes[_positive_index(classes)], dtype=bool)


def _group_classes(group: Any) -> np.ndarray:
    try:
        classes = to_plain_array(group.classes_)
    except AttributeError:
        raise EngineError(
            Reason.INVALID_MODEL, "The group model must be a classifier.", field="group_model"
        ) from None
    if classes.shape != (2,) or classes.dtype.kind not in "biufU":
        raise EngineError(
            Reason.INVALID_MODEL,
            "The group model must be a classifier with exactly two classes.",
            field="group_model",
        )
    return classes


def _positive_index(classes: np.ndarray) -> int:
    if classes.dtype.kind == "b":
        return int(np.flatnonzero(classes)[0]) if classes.any() else 1
    if classes.dtype.kind in "iuf" and (classes == 1).any():
        return int(np.flatnonzero(classes == 1)[0])
    return 1
