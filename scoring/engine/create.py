"""Setting up a competition's engine directory from its three splits and a base model."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from scoring.check import Rules
from scoring.engine.evaluation import HIDDEN_SPLITS, SPLITS
from scoring.engine.settings import Settings
from scoring.engine.store import Store, forget_store
from scoring.errors import EngineError, Reason
from scoring.frames import write_frame
from scoring.losses import get_loss
from scoring.pdl import DecisionList, save
from scoring.sandbox import Limits, run_model
from scoring.schema import Schema


def create_store(
    *,
    directory: Path,
    schema: Schema,
    loss: str,
    loss_params: dict[str, Any] | None = None,
    rules: Rules,
    splits: dict[str, pd.DataFrame],
    base_model: bytes,
    limits: Limits | None = None,
) -> Store:
    """Validate the splits, store them, run the base model on them in the sandbox and start the list.

    ``splits`` holds ``train``, ``holdout`` and ``confirmation`` frames with features and the target.
    """
    settings = Settings(schema, loss, dict(loss_params or {}), rules, limits or Limits())
    bound = get_loss(loss, schema, settings.loss_params)
    if (directory / "competition.json").exists():
        raise FileExistsError(f"{directory} already holds a competition")
    _check_splits(schema, splits)
    labels: dict[str, np.ndarray] = {}
    for split in SPLITS:
        write_frame(splits[split], schema, directory / "frames" / split)  # checked: canonical as it goes
        labels[split] = schema.encode_target(splits[split][schema.target])
    (directory / "base").mkdir(exist_ok=True)
    (directory / "base" / "model.skops").write_bytes(base_model)

    def predict(names: tuple[str, ...]) -> dict[str, np.ndarray]:
        found = {}
        for s in names:
            found[s] = run_model(
                base_model, directory / "frames" / s, bound.output, schema.classes, settings.limits
            )
        return found

    # Two sandbox children at once (each job in its own child, as ever): train in one, the hidden
    # splits in the other, while this thread writes the public train split.
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(predict, ("train",)), pool.submit(predict, HIDDEN_SPLITS)]
        write_public_train(splits["train"], [*schema.feature_names, schema.target], directory / "public")
        base = {**runs[0].result(), **runs[1].result()}
    train_dir = directory / "train"
    train_dir.mkdir(exist_ok=True)
    np.save(train_dir / "labels.npy", labels["train"], allow_pickle=False)
    np.save(train_dir / "base.npy", base["train"], allow_pickle=False)
    dl = DecisionList(
        loss=bound,
        rules=rules,
        labels={s: labels[s] for s in HIDDEN_SPLITS},
        base_preds={s: base[s] for s in HIDDEN_SPLITS},
    )
    save(dl, directory / "list", schema=schema, loss_params=settings.loss_params)
    tmp = directory / "competition.json.tmp"
    tmp.write_text(json.dumps(settings.to_json(), indent=1))
    os.replace(tmp, directory / "competition.json")
    forget_store(directory)
    return Store(directory)


def write_public_train(frame: pd.DataFrame, names: list[str], folder: Path) -> None:
    """``train.csv``, the one file participants download: every string quoted (so a category "NA" or
    "None" or one with spaces reads back as written), an empty field only for a missing value."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        table = pa.Table.from_pandas(frame[names], preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed Python objects: pandas writes them as text
        frame[names].to_csv(folder / "train.csv", index=False)
        return
    pacsv.write_csv(table, folder / "train.csv")


def _check_splits(schema: Schema, splits: dict[str, pd.DataFrame]) -> None:
    if set(splits) != set(SPLITS):
        raise EngineError(Reason.SCHEMA_MISMATCH, f"need exactly the splits {', '.join(SPLITS)}")
    for name, frame in splits.items():
        if len(frame) == 0:
            raise EngineError(Reason.SCHEMA_MISMATCH, f"the {name} split is empty", field=name)
        issues = schema.validate(frame, with_target=True)
        if issues:
            text = "; ".join(str(i) for i in issues[:10])
            raise EngineError(Reason.SCHEMA_MISMATCH, f"{name} split: {text}", field=issues[0].column)
