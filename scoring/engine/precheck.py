"""The pre-check: a (group, model) pair run in the sandbox on a few hundred rows of the public train
split, before it is queued, so that what a participant could be told at once (missing or extra
features, wrong dtypes, a wrong output shape, labels outside the set, a file that does not load) is
refused at upload with its exact cause, as ``bounty check`` words it, and costs no quota.

The same sandbox path as the worker's evaluation (``scoring.sandbox.run_pair``), on public rows only
(``PairJob.public``), so the child's own words are passed on. Failures only the hidden rows can show
are left to the worker, which keeps their category.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from scoring import groups
from scoring.errors import EngineError
from scoring.formats import checks_parity
from scoring.frames import frame_rows, write_frame
from scoring.sandbox import PairJob, SplitJob, run_pair

if TYPE_CHECKING:
    from scoring.engine.store import Store

PRECHECK_ROWS = 300
PRECHECK_WALL_SECONDS = 60.0
SAMPLE_SPLIT = "precheck"


def sample_rows(n_rows: int, count: int = PRECHECK_ROWS) -> np.ndarray:
    """Evenly spaced row numbers of the train split (all of them when it is short)."""
    if n_rows <= count:
        return np.arange(n_rows)
    return np.unique(np.linspace(0, n_rows - 1, count).round().astype(np.int64))


def sample_frame_dir(store: Store) -> Path:
    """The frame of the pre-check's train rows, written once next to the split frames (atomically:
    each writer's own temporary directory renamed into place, so a reader never finds it half
    written and concurrent first pre-checks, threads or processes, do not clash)."""
    folder = store.frame_dir(SAMPLE_SPLIT)
    if folder.exists():
        return folder
    train = store.frame("train")
    sample = train.iloc[sample_rows(len(train))].reset_index(drop=True)
    tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}-{uuid.uuid4().hex}")  # one per writer
    write_frame(sample, store.schema, tmp)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process wrote it first
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def precheck(store: Store, *, group: dict[str, Any] | bytes, model: bytes) -> int:
    """Run the pair on the pre-check's train rows; the number of rows it ran on. Raises
    ``EngineError`` with the exact cause (the child's words: the rows are public)."""
    folder = sample_frame_dir(store)
    n_rows = frame_rows(folder)
    splits = {"sample": SplitJob(folder, np.ones(n_rows, dtype=bool))}  # h on every sampled row
    group_model = None
    if isinstance(group, dict):
        groups.evaluate(groups.validate_tree(group, store.schema), store.frame(SAMPLE_SPLIT), store.schema)
    else:
        group_model = group
        splits["group"] = SplitJob(folder, None)  # g decides the rows, then h on them
    job = PairJob(
        model=model,
        output=store.loss.output,
        classes=store.schema.classes,
        splits=splits,
        group_model=group_model,
        parity_frame=store.frame_dir("train") if checks_parity(model) else None,
        public=True,
    )
    limits = store.settings.limits
    try:
        run_pair(job, replace(limits, wall_seconds=min(limits.wall_seconds, PRECHECK_WALL_SECONDS)))
    except EngineError as exc:  # the child's answer names no field: its words say which file failed
        group_failed = group_model is not None and exc.message.startswith("The group model")
        raise EngineError(exc.reason, exc.message, field="group_model" if group_failed else "model") from None
    return n_rows
