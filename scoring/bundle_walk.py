"""Prediction with a loaded bundle: the pointer walk of ``scoring.pdl.predict`` over the bundle's nodes.

Every row carries a pointer to the version predicting it, starting at the bundle's version. At node k,
rows pointing at k go to the rollback's target (rollback), or, when in the node's group, are resolved by
h (update) or sent to the repair's target (repair); the others move on to k - 1. Rows reaching 0 get the
base model. Groups are evaluated once on the whole frame; models run only on the rows they resolve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scoring import groups
from scoring.sandbox.predict import group_mask, predict

if TYPE_CHECKING:
    from scoring.bundle import Bundle


def walk(bundle: Bundle, frame: pd.DataFrame) -> np.ndarray:
    """Predictions of ``bundle``'s version on ``frame`` (canonical features, index 0..n-1)."""
    n_rows = len(frame)
    masks: dict[int, np.ndarray] = {}
    pointer = np.full(n_rows, bundle.version, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for node in reversed(bundle.nodes):
        active = np.flatnonzero(pointer == node.number)
        if active.size == 0:
            continue
        if node.kind == "rollback":
            assert node.target is not None
            pointer[active] = node.target
            continue
        if node.group not in masks:
            masks[node.group] = _group_mask(bundle, node.group, frame)
        inside = masks[node.group][active]
        hit, miss = active[inside], active[~inside]
        pointer[miss] = node.number - 1
        if node.kind == "update":
            assert node.model is not None
            pointer[hit] = -1
            if hit.size:
                parts.append((hit, _run(bundle, node.model, frame, hit)))
        else:
            assert node.target is not None
            pointer[hit] = node.target
    rest = np.flatnonzero(pointer == 0)
    parts.append((rest, _run(bundle, bundle.base_model, frame, rest)))
    return _assemble(n_rows, parts)


def _group_mask(bundle: Bundle, index: int, frame: pd.DataFrame) -> np.ndarray:
    entry: dict[str, Any] = bundle.groups[index]
    if "tree" in entry:
        tree = groups.validate_tree(entry["tree"], bundle.schema)
        return np.asarray(groups.evaluate(tree, frame, bundle.schema), dtype=bool)
    return group_mask(bundle.model(entry["model"]), frame)


def _run(bundle: Bundle, sha: str, frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(frame), dtype=bool)
    mask[rows] = True
    output: Any = bundle.output
    return predict(bundle.model(sha), frame, mask, output, bundle.schema.classes)


def _assemble(n_rows: int, parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    template = parts[0][1]
    out = np.zeros((n_rows, *template.shape[1:]), dtype=template.dtype)
    for rows, values in parts:
        out[rows] = values
    return out
