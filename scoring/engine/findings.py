"""Findings on a competition's store: a group evaluated alone, checked against a version, kept, and
matched later against accepted groups ("fixed by") and against the public Explore slices ("known").

A finding's group is a tree in the group language, data rather than code, so its rows are found in this
trusted process (like a tree group's rows for a pair); no model runs. Its masks on every split are kept in
``findings/<label>/`` once it is accepted (``keep``), for the matches that come after.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from scoring import groups
from scoring.engine.evaluation import SPLITS, Evaluation
from scoring.engine.store import Store
from scoring.finding import FindingDecision, GapFigures, GapStats, covered, decide_finding, overlap
from scoring.pdl import GroupSpec

FIXED_SHARE = 0.5  # an accepted group holding this share of a finding's holdout rows fixes it
KNOWN_OVERLAP = 0.9  # a finding sharing this share of its train rows with an Explore slice is known


def evaluate(store: Store, *, group: dict[str, Any]) -> Evaluation:
    """The group's rows on every split (no model: ``model`` is empty, no predictions)."""
    tree = groups.validate_tree(group, store.schema)
    masks = {s: groups.evaluate(tree, store.frame(s), store.schema) for s in SPLITS}
    empty = {s: np.zeros(0) for s in SPLITS}
    return Evaluation(spec=GroupSpec(tree=tree), model=b"", masks=masks, preds=empty)


def check(store: Store, evaluation: Evaluation, *, head: int) -> FindingDecision:
    """The finding's decision against version ``head`` on the holdout; nothing is changed."""
    return gap(store, evaluation.masks["holdout"], head=head)


def gap(store: Store, mask: np.ndarray, *, head: int) -> FindingDecision:
    with store._lock:
        dl = store.decision_list(head)
        stats = GapStats.measure(mask, dl.splits[dl.primary].row_loss)
    return decide_finding(stats, store.settings.rules)


def _folder(store: Store, label: str) -> Path:
    if not label.isdigit():
        raise ValueError(f"bad finding label {label!r}")
    return store.directory / "findings" / label


def keep(store: Store, label: str, evaluation: Evaluation) -> None:
    """Keep an accepted finding's masks (written to a temporary folder, renamed into place)."""
    folder = _folder(store, label)
    if folder.exists():
        return
    tmp = folder.with_name(f"{label}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for split in ("train", "holdout"):
        np.save(tmp / f"{split}.npy", np.packbits(evaluation.masks[split]), allow_pickle=False)
    (tmp / "rows.txt").write_text(f"{evaluation.masks['train'].size} {evaluation.masks['holdout'].size}")
    tmp.rename(folder)


def mask(store: Store, label: str, split: str) -> np.ndarray:
    folder = _folder(store, label)
    train_rows, holdout_rows = map(int, (folder / "rows.txt").read_text().split())
    size = train_rows if split == "train" else holdout_rows
    return np.unpackbits(np.load(folder / f"{split}.npy", allow_pickle=False), count=size).astype(bool)


def gap_now(store: Store, label: str, *, head: int) -> GapFigures:
    """A kept finding's gap under version ``head`` (the "after" of a fix)."""
    return gap(store, mask(store, label, "holdout"), head=head).figures


def fixed(store: Store, group: np.ndarray, labels: Iterable[str]) -> list[str]:
    """The kept findings (of ``labels``) at least ``FIXED_SHARE`` of whose holdout rows ``group`` holds."""
    return [label for label in labels if covered(mask(store, label, "holdout"), group) >= FIXED_SHARE]


def known(store: Store, train_mask: np.ndarray, trees: Sequence[dict[str, Any]]) -> int | None:
    """The index of the first of ``trees`` (public slices) sharing ``KNOWN_OVERLAP`` of the train rows
    of either with the finding's group, or None."""
    frame = store.frame("train")
    for index, tree in enumerate(trees):
        slice_mask = groups.evaluate(groups.validate_tree(tree, store.schema), frame, store.schema)
        if overlap(train_mask, slice_mask) >= KNOWN_OVERLAP:
            return index
    return None
