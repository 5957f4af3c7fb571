"""Sharded evaluation: a pair evaluated on contiguous row ranges of the hidden splits, apart (in parallel
on any number of workers), and put back together into exactly the evaluation of the whole.

A shard covers, for each hidden split, one of ``count`` near-equal contiguous row ranges, so the holdout
and confirmation rows of a shard go to one sandboxed child. The group is evaluated by the trusted parent
on the whole split and cut to the shard's range; h runs only on the group's rows in that range. A shard's
result is the group's rows and h's predictions within its ranges; concatenated in shard order they are
the evaluation of the whole split, array for array, so committing it decides exactly as an unsharded
evaluation does. (A check's additive statistics, ``scoring.check.CheckStats``, depend on the version
at commit time, so shards return the rows and predictions those statistics are computed from.)

A shard's result crosses to the platform as bytes (``ShardResult.to_bytes``: an ``.npz`` read back with
``allow_pickle=False``) with its outcome: ``ok``, ``refused`` (the engine's reason and message) or
``failed`` (the platform's fault); the platform keeps them in its own storage until they are combined.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from scoring import groups
from scoring.engine.evaluation import HIDDEN_SPLITS, Evaluation
from scoring.errors import EngineError, Reason
from scoring.frames import frame_rows
from scoring.pdl import GroupSpec
from scoring.schema import Schema


class Store(Protocol):
    """What sharding needs of a competition's store (``scoring.engine.store.Store``)."""

    @property
    def schema(self) -> Schema: ...

    def frame_dir(self, split: str) -> Path: ...

    def evaluate(
        self, *, group: dict[str, Any] | bytes, model: bytes, rows: Ranges | None = None
    ) -> Evaluation: ...


Ranges = dict[str, tuple[int, int]]
OUTCOMES = ("ok", "refused", "failed")


@dataclass(frozen=True)
class ShardResult:
    """One shard's outcome; for ``ok``, the group's rows in each range and h's predictions on them."""

    status: str = "ok"
    masks: dict[str, np.ndarray] = field(default_factory=dict)
    preds: dict[str, np.ndarray] = field(default_factory=dict)
    reason: str = ""
    message: str = ""

    def error(self) -> EngineError:
        """The refusal this shard recorded (``status == "refused"``)."""
        return EngineError(Reason(self.reason), self.message)

    def to_bytes(self) -> bytes:
        """The outcome and arrays as one ``.npz`` (no pickle), for whatever storage the caller uses."""
        if self.status not in OUTCOMES:
            raise ValueError(f"unknown shard outcome {self.status!r}")
        outcome = {"status": self.status, "splits": list(self.masks), "reason": self.reason}
        outcome["message"] = self.message
        arrays = {"outcome": np.frombuffer(json.dumps(outcome).encode(), dtype=np.uint8)}
        for split in self.masks:
            arrays[f"{split}.mask"] = self.masks[split]
            arrays[f"{split}.preds"] = self.preds[split]
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **arrays)
        return buffer.getvalue()

    @staticmethod
    def status_of(data: bytes) -> str:
        """The outcome (``ok``, ``refused`` or ``failed``) of a shard's bytes, without its arrays."""
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return str(json.loads(arrays["outcome"].tobytes())["status"])

    @classmethod
    def from_bytes(cls, data: bytes) -> ShardResult:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            outcome = json.loads(arrays["outcome"].tobytes())
            splits = outcome["splits"]
            return cls(
                status=outcome["status"],
                masks={s: arrays[f"{s}.mask"] for s in splits},
                preds={s: arrays[f"{s}.preds"] for s in splits},
                reason=outcome["reason"],
                message=outcome["message"],
            )


def split_rows(store: Store) -> dict[str, int]:
    """Rows of each hidden split (from the frames' descriptions, without reading the data)."""
    return {s: frame_rows(store.frame_dir(s)) for s in HIDDEN_SPLITS}


def shard_count(rows: Mapping[str, int], shard_rows: int) -> int:
    """How many shards keep every split's ranges within ``shard_rows`` rows (1: do not shard)."""
    if shard_rows < 1:
        raise ValueError("shard_rows must be at least 1")
    return max(1, *(math.ceil(n / shard_rows) for n in rows.values()))


def shard_ranges(rows: Mapping[str, int], count: int, index: int) -> Ranges:
    """Shard ``index`` of ``count``: for each split, the ``index``-th of ``count`` near-equal contiguous
    ranges ``[start, stop)`` (the ranges of all shards cover each split once, in order)."""
    if not 0 <= index < count:
        raise ValueError(f"shard {index} of {count}")
    return {s: (n * index // count, n * (index + 1) // count) for s, n in rows.items()}


def within(mask: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    """``mask`` with every row outside ``span`` cleared (the rows a shard's child predicts on)."""
    out = np.zeros_like(mask)
    out[span[0] : span[1]] = mask[span[0] : span[1]]
    return out


def evaluate_shard(store: Store, *, group: dict[str, Any], model: bytes, ranges: Ranges) -> ShardResult:
    """Evaluate a tree group and ``model`` on the shard's ranges. Raises EngineError with the reason."""
    part = store.evaluate(group=group, model=model, rows=ranges)
    return ShardResult(masks=part.masks, preds=part.preds)


def combine(store: Store, *, group: dict[str, Any], model: bytes, parts: Sequence[ShardResult]) -> Evaluation:
    """The whole evaluation from every shard's ``ok`` result, in shard order."""
    if not parts or any(p.status != "ok" for p in parts):
        raise ValueError("combine needs every shard's ok result")
    splits = list(parts[0].masks)
    return Evaluation(
        spec=GroupSpec(tree=groups.validate_tree(group, store.schema)),
        model=model,
        masks={s: np.concatenate([p.masks[s] for p in parts]) for s in splits},
        preds={s: np.concatenate([p.preds[s] for p in parts]) for s in splits},
    )


def evaluate_sharded(store: Store, *, group: dict[str, Any], model: bytes, shard_rows: int) -> Evaluation:
    """Every shard in turn, then combined (what a platform without parallel workers does)."""
    rows = split_rows(store)
    count = shard_count(rows, shard_rows)
    parts = [
        evaluate_shard(store, group=group, model=model, ranges=shard_ranges(rows, count, i))
        for i in range(count)
    ]
    return combine(store, group=group, model=model, parts=parts)


# -- as bytes -------------------------------------------------------------------------------------
def shard_failure() -> bytes:
    """The outcome of a shard the platform failed to evaluate (not the participant's fault)."""
    return ShardResult(status="failed").to_bytes()
