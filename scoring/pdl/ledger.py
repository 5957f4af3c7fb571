"""Accepted groups: their rows, their best holdout loss so far and the predictions that reached it.

Per-group loss sums on the primary split are kept up to date from the rows that change, through a
sparse row-by-group membership matrix, so the repair test never recomputes every group over every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class GroupSpec:
    """A group: a predicate tree, or a classifier (skops bytes) whose positive class means member."""

    tree: dict[str, Any] | None = None
    model: bytes | None = None

    def __post_init__(self) -> None:
        if (self.tree is None) == (self.model is None):
            raise ValueError("a group is either a tree or a model")


@dataclass
class GroupEntry:
    spec: GroupSpec
    rows: dict[str, np.ndarray]  # sorted int64 row indices per split
    best: float = np.inf  # best mean loss on the primary split so far
    best_version: int = -1
    snapshot: dict[str, np.ndarray] = field(default_factory=dict)  # predictions at best_version
    active: bool = True  # False once a rollback went back before it was accepted (it no longer counts)

    def size(self, split: str) -> int:
        return int(self.rows[split].shape[0])


class Ledger:
    """Accepted groups with incrementally maintained loss sums on the primary split.

    Groups ``[0, k)`` are summed through a sparse row-by-group matrix; groups added since it was built are
    summed through a scratch array. The matrix is rebuilt only when those pending groups hold more rows
    than it does, so building it costs O(total group rows) amortized over all updates.
    """

    def __init__(self, n_rows: int, primary: str) -> None:
        self.n_rows = n_rows
        self.primary = primary
        self.entries: list[GroupEntry] = []
        self.sums = np.zeros(0)
        self._matrix: sparse.csr_matrix | None = None
        self._in_matrix = 0  # groups covered by the matrix
        self._pending_rows = 0
        self._scratch = np.zeros(n_rows)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: GroupEntry, current_sum: float) -> int:
        self.entries.append(entry)
        self.sums = np.append(self.sums, current_sum)
        self._pending_rows += entry.size(self.primary)
        matrix_rows = 0 if self._matrix is None else self._matrix.nnz
        if self._pending_rows > matrix_rows:
            self._rebuild()
        return len(self.entries) - 1

    def _rebuild(self) -> None:
        idx = [e.rows[self.primary] for e in self.entries]
        cols = np.repeat(np.arange(len(idx), dtype=np.int32), [r.shape[0] for r in idx])
        data = np.ones(cols.shape[0], dtype=np.float64)
        self._matrix = sparse.csr_matrix((data, (np.concatenate(idx), cols)), shape=(self.n_rows, len(idx)))
        self._in_matrix = len(idx)
        self._pending_rows = 0

    def sizes(self) -> np.ndarray:
        return np.array([e.size(self.primary) for e in self.entries], dtype=np.float64)

    def shift(self, rows: np.ndarray, delta: np.ndarray) -> None:
        """Add per-row loss changes ``delta`` on ``rows`` to the sums of the groups holding them."""
        if not self.entries or rows.size == 0:
            return
        sums = self.sums.copy()
        if self._matrix is not None and self._in_matrix:
            sums[: self._in_matrix] += self._matrix[rows].T @ delta
        if self._in_matrix < len(self.entries):
            self._scratch[rows] = delta
            for i in range(self._in_matrix, len(self.entries)):
                sums[i] += self._scratch[self.entries[i].rows[self.primary]].sum()
            self._scratch[rows] = 0.0
        self.sums = sums

    def refresh_best(self, version: int, preds: dict[str, np.ndarray]) -> None:
        """Record, for every group now at a new best, the loss, the version and its predictions."""
        if not self.entries:
            return
        sizes = self.sizes()
        means = np.divide(self.sums, sizes, out=np.zeros_like(self.sums), where=sizes > 0)
        for i in np.flatnonzero(means < np.array([e.best for e in self.entries])):
            entry = self.entries[i]
            if not entry.active:
                continue
            entry.best = float(means[i])
            entry.best_version = version
            entry.snapshot = {s: p[entry.rows[s]].copy() for s, p in preds.items()}

    def worst_violation(self, alpha: float) -> int | None:
        """The group furthest above its best by more than alpha (as a share of all rows), if any."""
        if not self.entries:
            return None
        best = np.array([e.best for e in self.entries])
        excess = (self.sums - self.sizes() * best) / self.n_rows
        excess[np.array([not e.active for e in self.entries], dtype=bool)] = -np.inf
        i = int(np.argmax(excess))
        return i if excess[i] > alpha else None

    def nbytes(self) -> int:
        total = self.sums.nbytes
        for e in self.entries:
            total += sum(a.nbytes for a in e.rows.values())
            total += sum(a.nbytes for a in e.snapshot.values())
        if self._matrix is not None:
            m = self._matrix
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        return total + self._scratch.nbytes
