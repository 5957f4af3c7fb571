"""A competition's engine directory and the operations the platform runs on it.

Layout (nothing here is ever served by a URL; the platform serves ``public/train.csv`` itself)::

    competition.json                 schema, loss, rules and sandbox limits (written last: marks it complete)
    public/train.csv                 the public train split, features and target
    frames/<split>/                  canonical features of train, holdout and confirmation (for the sandbox)
    train/labels.npy, train/base.npy train labels and base predictions (previews and local checks)
    base/model.skops                 the base model
    list/                            the pointer decision list (holds holdout and confirmation labels)
    evaluations/<label>/             evaluated pairs waiting for their turn to be committed

The platform's database is the authority on which versions exist: every call that reads or grows the list
names the head version the database knows, and the store brings its cached list to exactly that version.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring import formats, groups
from scoring.check import Decision
from scoring.engine.evaluation import HIDDEN_SPLITS, Evaluation, load_evaluation, save_evaluation
from scoring.engine.settings import Settings
from scoring.engine.shards import (
    Ranges,
    ShardResult,
    combine,
    evaluate_shard,
    shard_count,
    shard_ranges,
    split_rows,
    within,
)
from scoring.errors import EngineError
from scoring.frames import read_frame
from scoring.losses import Loss, get_loss
from scoring.pdl import DecisionList, GroupSpec, Node, extend, load, save
from scoring.pdl.predict import predict
from scoring.sandbox import PairJob, SplitJob, run_pair
from scoring.schema import Schema


@dataclass(frozen=True)
class VersionRecord:
    """What the platform records of a model version."""

    number: int
    parent: int
    kind: str  # base | update | repair
    target_version: int | None
    label: str
    gain: float
    holdout_loss: float
    confirmation_loss: float | None

    @classmethod
    def of(cls, node: Node) -> VersionRecord:
        return cls(
            number=node.number,
            parent=node.number - 1,
            kind=node.kind,
            target_version=node.target,
            label=node.label,
            gain=node.gain,
            holdout_loss=node.losses["holdout"],
            confirmation_loss=node.losses.get("confirmation"),
        )


class Store:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.settings = Settings.from_json(json.loads((directory / "competition.json").read_text()))
        self.loss: Loss = get_loss(self.settings.loss, self.schema, self.settings.loss_params)
        self._frames: dict[str, pd.DataFrame] = {}
        self._list: DecisionList | None = None
        self._lock = threading.RLock()

    @property
    def schema(self) -> Schema:
        return self.settings.schema

    # -- data -----------------------------------------------------------------------------------
    def frame_dir(self, split: str) -> Path:
        return self.directory / "frames" / split

    def frame(self, split: str) -> pd.DataFrame:
        if split not in self._frames:
            self._frames[split] = read_frame(self.frame_dir(split))
        return self._frames[split]

    @property
    def public_train_csv(self) -> Path:
        return self.directory / "public" / "train.csv"

    def base_model(self) -> bytes:
        return (self.directory / "base" / "model.skops").read_bytes()

    def train_labels(self) -> np.ndarray:
        return np.load(self.directory / "train" / "labels.npy", allow_pickle=False)

    def train_base_predictions(self) -> np.ndarray:
        return np.load(self.directory / "train" / "base.npy", allow_pickle=False)

    def train_baseline(self) -> pd.DataFrame:
        """The base model's predictions on the public train rows, in file order (public, like the rows).

        One ``base_prediction`` column of class names (label losses) or values (regression), or one
        ``p_<class>`` column per class (probability losses). With it, participants compute on the train
        split exactly the figures the check computes on the holdout.
        """
        preds = self.train_base_predictions()
        if self.loss.output == "proba":
            return pd.DataFrame({f"p_{c}": preds[:, i] for i, c in enumerate(self.schema.classes)})
        if self.loss.output == "label":
            return pd.DataFrame({"base_prediction": np.asarray(self.schema.classes, dtype=object)[preds]})
        return pd.DataFrame({"base_prediction": preds})

    # -- groups ---------------------------------------------------------------------------------
    def parse_group(self, text: str) -> dict[str, Any]:
        return groups.parse_text(text, self.schema)

    def preview_mass(self, tree: dict[str, Any]) -> float:
        """Share of the public train rows in the group (participants may see this)."""
        tree = groups.validate_tree(tree, self.schema)
        mask = groups.evaluate(tree, self.frame("train"), self.schema)
        return float(mask.mean()) if mask.size else 0.0

    # -- evaluating and committing ----------------------------------------------------------------
    def evaluate(
        self, *, group: dict[str, Any] | bytes, model: bytes, rows: Ranges | None = None
    ) -> Evaluation:
        """Run (g, h) on the hidden splits in the sandbox. Raises EngineError with the reason.

        An ONNX ``model`` must also pass the parity check on the public train split (in the child,
        before the hidden splits): it must predict there what its upload says it predicts.
        ``rows`` (tree groups only; see ``scoring.engine.shards``): only the row range ``[start, stop)``
        of each split, and the masks returned cover that range only.
        """
        if isinstance(group, dict):
            tree = groups.validate_tree(group, self.schema)
            spec = GroupSpec(tree=tree)
            masks = {s: groups.evaluate(tree, self.frame(s), self.schema) for s in HIDDEN_SPLITS}
            if rows is not None:
                masks = {s: within(m, rows[s]) for s, m in masks.items()}
            jobs = {s: SplitJob(self.frame_dir(s), masks[s]) for s in HIDDEN_SPLITS}
        elif rows is not None:
            raise ValueError("only a tree group is evaluated on row ranges")
        else:
            spec = GroupSpec(model=group)
            jobs = {s: SplitJob(self.frame_dir(s), None) for s in HIDDEN_SPLITS}
        job = PairJob(
            model=model,
            output=self.loss.output,
            classes=self.schema.classes,
            splits=jobs,
            group_model=spec.model,
            parity_frame=self.frame_dir("train") if formats.checks_parity(model) else None,
        )
        results = run_pair(job, self.settings.limits)
        span = rows or {s: (0, len(r.mask)) for s, r in results.items()}
        return Evaluation(
            spec=spec,
            model=model,
            masks={s: r.mask[span[s][0] : span[s][1]] for s, r in results.items()},
            preds={s: r.predictions for s, r in results.items()},
        )

    def evaluation_dir(self, label: str) -> Path:
        if not label.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"bad evaluation label {label!r}")
        return self.directory / "evaluations" / label

    def save_evaluation(self, label: str, evaluation: Evaluation) -> None:
        save_evaluation(evaluation, self.evaluation_dir(label))

    def load_evaluation(self, label: str) -> Evaluation:
        return load_evaluation(self.evaluation_dir(label))

    def drop_evaluation(self, label: str) -> None:
        shutil.rmtree(self.evaluation_dir(label), ignore_errors=True)

    # -- sharded evaluation (``scoring.engine.shards``) ---------------------------------------------
    def shard_count(self, shard_rows: int) -> int:
        """How many shards keep every hidden split's row ranges within ``shard_rows`` (1: whole)."""
        return shard_count(split_rows(self), shard_rows)

    def evaluate_shard(self, *, group: dict[str, Any], model: bytes, index: int, count: int) -> bytes:
        """Shard ``index`` of ``count`` of a tree group's evaluation with ``model``, as bytes
        (``ShardResult.to_bytes``): the group's rows and h's predictions in the shard's row ranges, or
        the engine's refusal. Other failures raise."""
        ranges = shard_ranges(split_rows(self), count, index)
        try:
            part = evaluate_shard(self, group=group, model=model, ranges=ranges)
        except EngineError as exc:
            part = ShardResult(status="refused", reason=exc.reason.value, message=exc.message)
        return part.to_bytes()

    def combine_shards(self, *, group: dict[str, Any], model: bytes, parts: Sequence[bytes]) -> Evaluation:
        """The whole evaluation from every shard's bytes, in shard order: exactly what ``evaluate``
        gives. Raises the first refusal in row order (EngineError), or RuntimeError if a shard failed."""
        results = [ShardResult.from_bytes(part) for part in parts]
        for result in results:
            if result.status == "refused":
                raise result.error()
            if result.status != "ok":
                raise RuntimeError("a shard of the evaluation failed")
        return combine(self, group=group, model=model, parts=results)

    def commit(
        self, evaluation: Evaluation, *, label: str, head: int
    ) -> tuple[Decision, list[VersionRecord]]:
        """Decide ``evaluation`` against version ``head`` and, when accepted, grow and save the list.

        The caller serializes commits per competition and records the returned versions; until it does,
        the database's head stays where it was and a later call replays only up to it.
        """
        with self._lock:
            dl = self.decision_list(head)
            decision, nodes = dl.commit(
                spec=evaluation.spec,
                model=evaluation.model,
                masks=evaluation.masks,
                preds=evaluation.preds,
                label=label,
            )
            if nodes:
                save(dl, self.directory / "list", schema=self.schema, loss_params=self.settings.loss_params)
            return decision, [VersionRecord.of(n) for n in nodes]

    # -- reading the list -------------------------------------------------------------------------
    def decision_list(self, head: int) -> DecisionList:
        """The cached decision list brought to exactly version ``head``."""
        with self._lock:
            path = self.directory / "list"
            if self._list is None or self._list.head > head:
                self._list = load(path, upto=head)
            elif self._list.head < head:
                extend(self._list, path, upto=head)
            return self._list

    def versions(self, head: int) -> list[VersionRecord]:
        return [VersionRecord.of(n) for n in self.decision_list(head).nodes]

    def predict(self, frame_dir: Path, *, head: int, version: int | None = None) -> np.ndarray:
        """Predictions of ``version`` (default ``head``) on the frame stored in ``frame_dir``."""
        from scoring.engine.predict import SandboxRunner

        dl = self.decision_list(head)
        frame = read_frame(frame_dir)
        runner = SandboxRunner(
            schema=self.schema,
            frame_dir=frame_dir,
            frame=frame,
            base_model=self.base_model(),
            limits=self.settings.limits,
        )
        return predict(dl, len(frame), runner, version=version)

    def base_losses(self) -> dict[str, float]:
        return self.decision_list(0).base_losses() if self._list is None else self._list.base_losses()


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def open_store(directory: Path) -> Store:
    """The process's cached store for ``directory`` (holdout and list state are loaded once)."""
    key = directory.resolve()
    with _stores_lock:
        if key not in _stores:
            _stores[key] = Store(key)
        return _stores[key]


def forget_store(directory: Path) -> None:
    with _stores_lock:
        _stores.pop(directory.resolve(), None)
