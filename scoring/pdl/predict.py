"""Prediction on new rows: walk the nodes newest first, vectorised over the rows still unresolved.

Every row carries a pointer to the version it is being predicted by, starting at the head. At node k, the
rows pointing at version k that fall in the node's group are resolved by h (update node) or sent to the
repair's target version (repair node); the others move on to version k - 1. Pointers only decrease, so one
pass from the head down to the base model resolves every row.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from scoring.pdl.decision_list import DecisionList, Node


class NodeRunner(Protocol):
    """Evaluates the list's groups and models on chosen rows of a new frame."""

    def group_mask(self, dl: DecisionList, group: int, rows: np.ndarray) -> np.ndarray:
        """Membership (bool, one per row in ``rows``) of accepted group ``group``."""
        ...

    def model_predict(self, dl: DecisionList, node: Node, rows: np.ndarray) -> np.ndarray:
        """Canonical predictions of update node ``node``'s model on ``rows``."""
        ...

    def base_predict(self, dl: DecisionList, rows: np.ndarray) -> np.ndarray:
        """Canonical predictions of the base model on ``rows``."""
        ...


def predict(dl: DecisionList, n_rows: int, runner: NodeRunner, *, version: int | None = None) -> np.ndarray:
    """Predictions of ``version`` (default: the head) on ``n_rows`` new rows."""
    head = dl.head if version is None else version
    if not 0 <= head <= dl.head:
        raise ValueError(f"no version {head}")
    pointer = np.full(n_rows, head, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for node in reversed(dl.nodes[:head]):
        active = np.flatnonzero(pointer == node.number)
        if active.size == 0:
            continue
        if node.kind == "rollback":  # every row is predicted as the target version predicts it
            assert node.target is not None
            pointer[active] = node.target
            continue
        inside = runner.group_mask(dl, node.group, active)
        hit, miss = active[inside], active[~inside]
        pointer[miss] = node.number - 1
        if node.kind == "update":
            pointer[hit] = -1
            if hit.size:
                parts.append((hit, runner.model_predict(dl, node, hit)))
        else:
            assert node.target is not None
            pointer[hit] = node.target
    rest = np.flatnonzero(pointer == 0)
    parts.append((rest, runner.base_predict(dl, rest)))
    return _assemble(n_rows, parts)


def _assemble(n_rows: int, parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    template = next(p for _, p in parts)
    out = np.zeros((n_rows, *template.shape[1:]), dtype=template.dtype)
    for rows, values in parts:
        out[rows] = values
    return out
