"""Parent side: turn what a child sent back (untrusted) into results or an ``EngineError``.

Everything is re-checked: known header keys only, the expected splits in order, array dtypes from a
whitelist (bool, signed integers, float64), shapes consistent with row counts and mask sums, no mask
back for a split whose mask the parent sent (the parent keeps its own), and the prediction values
themselves (finite, class codes in range, probabilities in [0, 1] summing to 1). Messages are cut
short and stripped of paths.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from scoring.errors import EngineError, Reason
from scoring.sandbox.limits import Output, SplitResult
from scoring.sandbox.protocol import BOOL, CODES, FLOAT64, ProtocolError, npy_to_array

MAX_MESSAGE = 300
SUM_TOL = 1e-6
CHILD_REASONS = frozenset(
    {
        Reason.INVALID_MODEL,
        Reason.INVALID_GROUP,
        Reason.PREDICTION_ERROR,
        Reason.RESOURCE_LIMIT,
        Reason.TIMEOUT,
        Reason.SCHEMA_MISMATCH,
    }
)
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s'\"\\/:,;()\[\]]+){2,}[\\/]?")
_ERROR_KEYS = frozenset({"status", "reason", "message"})


def malformed() -> EngineError:
    return EngineError(Reason.PREDICTION_ERROR, "The sandbox returned a malformed result.")


def sanitize(message: Any) -> str:
    """Text safe to show: no paths, printable characters only, at most ``MAX_MESSAGE`` long."""
    text = _PATH.sub("<path>", str(message))
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def raise_if_error(header: dict[str, Any]) -> None:
    """Raise the child's refusal as an ``EngineError`` (reasons outside ``CHILD_REASONS`` become
    prediction errors)."""
    if header.get("status") != "error":
        return
    if set(header) != _ERROR_KEYS or not isinstance(header["message"], str):
        raise malformed()
    try:
        reason = Reason(header["reason"])
    except ValueError:
        raise malformed() from None
    if reason not in CHILD_REASONS:
        reason = Reason.PREDICTION_ERROR
    raise EngineError(reason, sanitize(header["message"]) or "The model failed.")


def parse_probe(header: dict[str, Any], blobs: Sequence[memoryview]) -> str:
    raise_if_error(header)
    outcome = header.get("probe")
    if set(header) != {"status", "probe"} or header["status"] != "ok" or blobs:
        raise malformed()
    if not isinstance(outcome, str):
        raise malformed()
    return sanitize(outcome)


def parse_pair(
    header: dict[str, Any],
    blobs: Sequence[memoryview],
    *,
    rows: Mapping[str, int],
    masks: Mapping[str, np.ndarray | None],
    output: Output,
    n_classes: int,
) -> dict[str, SplitResult]:
    """The split results in a child's ``ok`` message, fully re-validated."""
    raise_if_error(header)
    names = list(rows)
    if set(header) != {"status", "splits"} or header["status"] != "ok":
        raise malformed()
    if header["splits"] != names or len(blobs) != 2 * len(names):
        raise malformed()
    results = {}
    try:
        for index, name in enumerate(names):
            mask = _mask(blobs[2 * index], rows[name], masks[name])
            predictions = _predictions(blobs[2 * index + 1], int(mask.sum()), output, n_classes)
            results[name] = SplitResult(mask=mask, predictions=predictions)
    except ProtocolError:
        raise malformed() from None
    return results


def _mask(blob: memoryview, n_rows: int, sent: np.ndarray | None) -> np.ndarray:
    """The split's mask: the one the parent sent (the child sends none back), else the child's."""
    if sent is not None:
        if len(blob):
            raise ProtocolError("a mask back for a split whose mask was sent")
        return sent
    mask = npy_to_array(blob, [BOOL])
    if mask.shape != (n_rows,):
        raise ProtocolError("mask of the wrong length")
    return mask


def _predictions(blob: memoryview, n_rows: int, output: Output, n_classes: int) -> np.ndarray:
    if output == "label":
        codes = npy_to_array(blob, CODES)
        if codes.shape != (n_rows,):
            raise ProtocolError("labels of the wrong shape")
        if codes.size and (codes.min() < 0 or codes.max() >= n_classes):
            raise ProtocolError("class code out of range")
        return codes.astype(np.int64, copy=False)
    values = npy_to_array(blob, [FLOAT64])
    shape = (n_rows, n_classes) if output == "proba" else (n_rows,)
    if values.shape != shape or not np.isfinite(values).all():
        raise ProtocolError("predictions of the wrong shape or not finite")
    if output == "proba" and values.size:
        if values.min() < 0.0 or values.max() > 1.0:
            raise ProtocolError("probability outside [0, 1]")
        if np.abs(values.sum(axis=1) - 1.0).max() > SUM_TOL:
            raise ProtocolError("probabilities do not sum to 1")
    return values
