"""The top slices under one stated scoring function, SliceLine's (Sagadeeva and Boehm, SIGMOD 2021):

    score(S) = alpha * (mean loss of S / mean loss of all rows - 1) - (1 - alpha) * (n / |S| - 1)

over every slice of one level of one column or of two levels of two columns, with at least
``min_rows`` rows. The first term rewards a slice the model does badly on, the second penalises a
small one (``alpha`` near 1 weighs the loss more). Only slices that score above zero are kept, and a
two-column slice only when it scores above both of its one-column parents: otherwise the second
column adds nothing a person needs (``region == "NA"`` says as much as ``region == "NA" and
member == false``), and a top ten would fill with one bad level paired with every other column.
Ties are broken by the order of the columns and levels, so the answer is the same on every run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scoring.explore.counts import Table

DEFAULT_ALPHA = 0.95
DEFAULT_MIN_ROWS = 30


@dataclass(frozen=True)
class Scoring:
    alpha: float = DEFAULT_ALPHA
    min_rows: int = DEFAULT_MIN_ROWS

    def __post_init__(self) -> None:
        if not 0 < self.alpha <= 1:
            raise ValueError("alpha must be in (0, 1]")
        if self.min_rows < 1:
            raise ValueError("min_rows must be at least 1")

    @classmethod
    def for_rows(cls, rows: int, *, mu_min: float, alpha: float = DEFAULT_ALPHA) -> Scoring:
        """A competition's: no slice smaller than the smallest group it accepts (a share ``mu_min``
        of the ``rows``), nor than ``DEFAULT_MIN_ROWS``."""
        return cls(alpha=alpha, min_rows=max(DEFAULT_MIN_ROWS, math.ceil(mu_min * rows)))

    def score(self, rows: np.ndarray, loss: np.ndarray, n: int, total: float) -> np.ndarray:
        """The score of slices of ``rows`` rows and loss sums ``loss`` among ``n`` rows whose losses
        sum to ``total``; ``-inf`` for a slice below ``min_rows`` (or when every loss is zero)."""
        rows = np.asarray(rows, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (loss / rows) / (total / n)
            scores = self.alpha * (ratio - 1) - (1 - self.alpha) * (n / rows - 1)
        scores = np.where(np.isfinite(scores) & (rows >= self.min_rows), scores, -np.inf)
        return np.asarray(scores, dtype=np.float64)


@dataclass(frozen=True)
class Slice:
    """A slice found: its levels as (column index, level index) pairs, its rows, loss sum and score."""

    levels: tuple[tuple[int, int], ...]
    rows: int
    loss: float
    score: float


def top(
    singles: list[Table], pairs: list[Table], scoring: Scoring, *, n: int, total: float, k: int
) -> list[Slice]:
    """The ``k`` best-scoring slices (fewer when fewer score above zero), best first."""
    found: list[tuple[float, int, int, Slice]] = []  # (-score, table, cell, slice): a total order
    tables = [*singles, *pairs]
    alone = {table.columns[0]: scoring.score(table.rows, table.loss, n, total) for table in singles}
    for number, table in enumerate(tables):
        scores = scoring.score(table.rows, table.loss, n, total)
        if len(table.columns) == 2:
            a, b = table.columns
            better = (scores > alone[a][:, None]) & (scores > alone[b][None, :])
            scores = np.where(better, scores, -np.inf)
        for cell in _best_cells(scores, k):
            where = np.unravel_index(cell, scores.shape)
            chosen = tuple((column, int(level)) for column, level in zip(table.columns, where, strict=True))
            item = Slice(chosen, int(table.rows[where]), float(table.loss[where]), float(scores[where]))
            found.append((-item.score, number, int(cell), item))
    found.sort(key=lambda entry: entry[:3])
    return [item for *_, item in found[:k]]


def _best_cells(scores: np.ndarray, k: int) -> np.ndarray:
    """The flat indexes of a table's at most ``k`` best cells scoring above zero."""
    flat = scores.ravel()
    positive = np.flatnonzero(flat > 0)
    if len(positive) > k:
        order = np.lexsort((positive, -flat[positive]))
        positive = np.sort(positive[order[:k]])
    return positive
