"""Per-row losses, each scaled to [0, 1]. Everything is a loss (lower is better); nothing is a score.

A loss states which model output it reads (``output``):

- ``"label"``: class codes (int64, schema order) from ``predict``;
- ``"proba"``: class probabilities (float64, shape (n, k), schema order) from ``predict_proba``;
- ``"value"``: real values (float64) from a regressor's ``predict``.

Targets are class codes for classification and real values for regression (``Schema.encode_target``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from scoring.errors import EngineError, Reason
from scoring.schema import Schema, Task

Output = Literal["label", "proba", "value"]
_DEFAULT_EPS = 1e-6


@dataclass(frozen=True)
class Loss:
    """A per-row loss bound to a schema and its parameters."""

    name: str
    output: Output
    _fn: Callable[[np.ndarray, np.ndarray], np.ndarray] = field(repr=False, compare=False)

    def per_row(self, y: np.ndarray, pred: np.ndarray) -> np.ndarray:
        """Loss of each row, float64 in [0, 1]."""
        if len(y) != len(pred):
            raise EngineError(Reason.PREDICTION_ERROR, "predictions and targets differ in length")
        out = self._fn(y, pred)
        return np.clip(out, 0.0, 1.0)

    def mean(self, y: np.ndarray, pred: np.ndarray) -> float:
        return float(self.per_row(y, pred).mean()) if len(y) else 0.0


# -- the losses ----------------------------------------------------------------------------------
def _zero_one(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    return (np.asarray(pred) != y).astype(np.float64)


def _cost_weighted(costs: np.ndarray) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    scaled = costs / costs.max()

    def fn(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
        return scaled[y, np.asarray(pred, dtype=np.int64)]

    return fn


def _brier(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y)), y] = 1.0
    # The multiclass Brier score of one row lies in [0, 2]; halve it into [0, 1].
    return ((proba - onehot) ** 2).sum(axis=1) / 2.0


def _log_loss(eps: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    scale = -np.log(eps)

    def fn(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
        p = np.clip(proba[np.arange(len(y)), y], eps, 1.0)
        return -np.log(p) / scale

    return fn


def _squared(lo: float, hi: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    span = hi - lo

    def fn(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
        return ((np.clip(pred, lo, hi) - np.clip(y, lo, hi)) / span) ** 2

    return fn


def _absolute(lo: float, hi: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    span = hi - lo

    def fn(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
        return np.abs(np.clip(pred, lo, hi) - np.clip(y, lo, hi)) / span

    return fn


# -- lookup by name ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LossInfo:
    name: str
    title: str
    tasks: frozenset[Task]
    output: Output


_CLASSIFICATION = frozenset({Task.BINARY, Task.MULTICLASS})
LOSSES: dict[str, LossInfo] = {
    info.name: info
    for info in (
        LossInfo("zero_one", "0-1 error", _CLASSIFICATION, "label"),
        LossInfo("cost_weighted", "cost-weighted 0-1 error", _CLASSIFICATION, "label"),
        LossInfo("brier", "Brier score (halved)", _CLASSIFICATION, "proba"),
        LossInfo("log_loss", "clipped log loss", _CLASSIFICATION, "proba"),
        LossInfo("squared", "squared error / squared target range", frozenset({Task.REGRESSION}), "value"),
        LossInfo("absolute", "absolute error / target range", frozenset({Task.REGRESSION}), "value"),
    )
}


def get_loss(name: str, schema: Schema, params: Mapping[str, Any] | None = None) -> Loss:
    """The loss called ``name`` bound to ``schema``; raises when the name or parameters do not fit."""
    params = dict(params or {})
    info = LOSSES.get(name)
    if info is None:
        raise EngineError(Reason.SCHEMA_MISMATCH, f"unknown loss {name!r}", field="loss")
    if schema.task not in info.tasks:
        raise EngineError(Reason.SCHEMA_MISMATCH, f"the {name} loss does not fit a {schema.task.value} task")
    return Loss(name, info.output, _build(name, schema, params))


def _build(
    name: str, schema: Schema, params: dict[str, Any]
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    if name == "zero_one":
        return _zero_one
    if name == "cost_weighted":
        return _cost_weighted(_cost_matrix(schema, params))
    if name == "brier":
        return _brier
    if name == "log_loss":
        eps = float(params.get("eps", _DEFAULT_EPS))
        if not 0.0 < eps < 0.5:
            raise EngineError(Reason.SCHEMA_MISMATCH, "log loss eps must lie in (0, 0.5)")
        return _log_loss(eps)
    assert schema.target_range is not None
    lo, hi = schema.target_range
    return _squared(lo, hi) if name == "squared" else _absolute(lo, hi)


def _cost_matrix(schema: Schema, params: dict[str, Any]) -> np.ndarray:
    """``costs[i][j]``: the cost of predicting class j when the truth is class i."""
    k = len(schema.classes)
    try:
        costs = np.asarray(params["costs"], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineError(Reason.SCHEMA_MISMATCH, "cost_weighted needs a costs matrix") from exc
    ok = costs.shape == (k, k) and np.isfinite(costs).all() and (costs >= 0).all()
    if not ok or costs.max() <= 0 or np.any(np.diag(costs) != 0):
        raise EngineError(
            Reason.SCHEMA_MISMATCH,
            f"costs must be a {k}x{k} matrix of non-negative numbers, zero on the diagonal",
        )
    return costs
