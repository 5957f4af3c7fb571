"""Predicting with a version of the list on a stored frame, every participant model in the sandbox."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scoring import groups
from scoring.pdl import DecisionList, Node
from scoring.sandbox import Limits, PairJob, SplitJob, run_pair
from scoring.schema import Schema


class SandboxRunner:
    """Evaluates nodes on a frame written by ``write_frame``: trees here, models in sandboxed children."""

    def __init__(
        self, *, schema: Schema, frame_dir: Path, frame: pd.DataFrame, base_model: bytes, limits: Limits
    ) -> None:
        self.schema, self.frame_dir, self.frame = schema, frame_dir, frame
        self.base_model, self.limits = base_model, limits
        self._masks: dict[int, np.ndarray] = {}
        self._group_preds: dict[int, np.ndarray] = {}

    def _run(self, model: bytes, rows: np.ndarray, dl: DecisionList) -> np.ndarray:
        mask = np.zeros(len(self.frame), dtype=bool)
        mask[rows] = True
        job = PairJob(
            model=model,
            output=dl.loss.output,
            classes=self.schema.classes,
            splits={"rows": SplitJob(self.frame_dir, mask)},
        )
        return run_pair(job, self.limits)["rows"].predictions

    def _full_mask(self, dl: DecisionList, group: int) -> np.ndarray:
        if group not in self._masks:
            spec = dl.ledger.entries[group].spec
            if spec.tree is not None:
                self._masks[group] = groups.evaluate(spec.tree, self.frame, self.schema)
            else:
                self._run_model_group(dl, group)
        return self._masks[group]

    def _run_model_group(self, dl: DecisionList, group: int) -> None:
        """A group given as a classifier: its membership and its update's h, over every row at once."""
        update = next(n for n in dl.nodes if n.kind == "update" and n.group == group)
        assert update.model_sha is not None
        job = PairJob(
            model=dl.models[update.model_sha],
            output=dl.loss.output,
            classes=self.schema.classes,
            splits={"rows": SplitJob(self.frame_dir, None)},
            group_model=dl.ledger.entries[group].spec.model,
        )
        result = run_pair(job, self.limits)["rows"]
        self._masks[group] = result.mask
        full = np.zeros((len(self.frame), *result.predictions.shape[1:]), dtype=result.predictions.dtype)
        full[result.mask] = result.predictions
        self._group_preds[group] = full

    def group_mask(self, dl: DecisionList, group: int, rows: np.ndarray) -> np.ndarray:
        return self._full_mask(dl, group)[rows]

    def model_predict(self, dl: DecisionList, node: Node, rows: np.ndarray) -> np.ndarray:
        if node.group in self._group_preds:
            return self._group_preds[node.group][rows]
        assert node.model_sha is not None
        return self._run(dl.models[node.model_sha], rows, dl)

    def base_predict(self, dl: DecisionList, rows: np.ndarray) -> np.ndarray:
        return self._run(self.base_model, rows, dl)
