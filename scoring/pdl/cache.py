"""Cached predictions of the current model on a labelled split, updated by overwriting only patched rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.losses import Loss


@dataclass(frozen=True)
class RowPatch:
    """New predictions for some rows of one split: sorted row indices and their values."""

    rows: np.ndarray
    preds: np.ndarray

    def __post_init__(self) -> None:
        if self.rows.ndim != 1 or self.rows.shape[0] != self.preds.shape[0]:
            raise ValueError("a patch needs one prediction per row")


class SplitCache:
    """A split's labels, the current model's predictions on it and their per-row losses."""

    def __init__(self, labels: np.ndarray, base_preds: np.ndarray, loss: Loss) -> None:
        if labels.shape[0] != base_preds.shape[0]:
            raise ValueError("labels and base predictions differ in length")
        self.labels = labels
        self.loss = loss
        self.preds = base_preds.copy()
        self.row_loss = loss.per_row(labels, self.preds)

    @property
    def n_rows(self) -> int:
        return int(self.labels.shape[0])

    def mean_loss(self) -> float:
        return float(self.row_loss.mean()) if self.n_rows else 0.0

    def loss_of(self, rows: np.ndarray, preds: np.ndarray) -> np.ndarray:
        """Per-row loss that ``preds`` would have on ``rows`` (nothing is changed)."""
        return self.loss.per_row(self.labels[rows], preds)

    def apply(self, patch: RowPatch) -> np.ndarray:
        """Overwrite the patched rows; returns the per-row loss change on them (new - old)."""
        new_loss = self.loss_of(patch.rows, patch.preds)
        delta = new_loss - self.row_loss[patch.rows]
        self.preds[patch.rows] = patch.preds
        self.row_loss[patch.rows] = new_loss
        return delta

    def nbytes(self) -> int:
        return self.labels.nbytes + self.preds.nbytes + self.row_loss.nbytes
