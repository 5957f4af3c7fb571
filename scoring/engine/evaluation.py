"""An evaluated pair: the group's rows and h's predictions on them, per split.

An evaluation does not depend on the model version (g and h are fixed functions), so it is computed once,
possibly in parallel with others, stored, and later committed against whatever version is newest.
Stored evaluations are written by the trusted worker only; they are read back with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scoring.pdl import GroupSpec
from scoring.pdl.decision_list import sha256

HIDDEN_SPLITS = ("holdout", "confirmation")
SPLITS = ("train", *HIDDEN_SPLITS)


@dataclass(frozen=True)
class Evaluation:
    spec: GroupSpec
    model: bytes
    masks: dict[str, np.ndarray]
    preds: dict[str, np.ndarray]

    @property
    def model_sha(self) -> str:
        return sha256(self.model)


def save_evaluation(evaluation: Evaluation, folder: Path) -> None:
    """Write ``evaluation`` to ``folder`` atomically (a temporary folder of this process renamed into
    place). A folder already there is kept: the same pair on the same data evaluates to the same arrays,
    and a reader must never find it missing."""
    if folder.exists():
        return
    tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    meta = {"splits": sorted(evaluation.masks), "tree": evaluation.spec.tree}
    (tmp / "meta.json").write_text(json.dumps(meta))
    (tmp / "model.bin").write_bytes(evaluation.model)
    if evaluation.spec.model is not None:
        (tmp / "group.bin").write_bytes(evaluation.spec.model)
    for split in evaluation.masks:
        np.save(tmp / f"{split}.mask.npy", evaluation.masks[split], allow_pickle=False)
        np.save(tmp / f"{split}.preds.npy", evaluation.preds[split], allow_pickle=False)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process saved it first
        shutil.rmtree(tmp, ignore_errors=True)
        if not folder.exists():
            raise


def load_evaluation(folder: Path) -> Evaluation:
    meta = json.loads((folder / "meta.json").read_text())
    group_file = folder / "group.bin"
    spec = (
        GroupSpec(tree=meta["tree"]) if meta["tree"] is not None else GroupSpec(model=group_file.read_bytes())
    )
    splits = meta["splits"]
    return Evaluation(
        spec=spec,
        model=(folder / "model.bin").read_bytes(),
        masks={s: np.load(folder / f"{s}.mask.npy", allow_pickle=False) for s in splits},
        preds={s: np.load(folder / f"{s}.preds.npy", allow_pickle=False) for s in splits},
    )
