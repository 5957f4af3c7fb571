"""The server's check of a (group, model) pair, run locally on the public train split.

The same engine code the platform runs: the group language (``scoring.groups``), the safe model
loader and the sandbox child's prediction step (``scoring.sandbox.predict.run``: load with the
skops allowlist, check capabilities, find the group's rows, predict, validate), the competition's
loss and the acceptance rule (``scoring.check``). A file the server would refuse is refused here too.

The one difference is the data: the server decides on a hidden holdout, so its figures differ.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from scoring import groups
from scoring.check import CheckStats, Figures, Rules, decide, public_gain
from scoring.frames import canonical_frame
from scoring.losses import get_loss
from scoring.sandbox.limits import Limits
from scoring.sandbox.predict import PairInput, SplitInput, run
from scoring.sandbox.results import parse_pair
from scoring.schema import Schema

GroupInput: TypeAlias = str | Mapping[str, Any] | None
CsvInput: TypeAlias = pd.DataFrame | bytes | str | Path
MAX_MODEL_BYTES = Limits().max_model_bytes


@dataclass(frozen=True)
class LocalCheck:
    """The figures of a check on the public train split (the server's ``scoring.check.Figures``), and
    the decision the rule gives there. Each figure is also an attribute (``result.gain``), and
    ``as_dict`` lists them flat beside the rest."""

    n_rows: int
    members: int
    figures: Figures
    accepted: bool
    reason: str
    public_gain: float
    alpha: float
    mu_min: float
    z: float
    group_text: str

    @property
    def mass(self) -> float:
        return self.figures.mass

    @property
    def loss_current(self) -> float:
        return self.figures.loss_current

    @property
    def loss_h(self) -> float:
        return self.figures.loss_h

    @property
    def gain(self) -> float:
        return self.figures.gain

    @property
    def se(self) -> float:
        return self.figures.se

    @property
    def margin(self) -> float:
        return self.figures.margin

    def as_dict(self) -> dict[str, Any]:
        fields = asdict(self)
        del fields["figures"]
        return {"n_rows": self.n_rows, "members": self.members, **self.figures.as_dict(), **fields}


def read_train_csv(source: CsvInput) -> pd.DataFrame:
    """The train CSV as text columns, with only empty fields read as missing (so a category such
    as ``"NA"`` or ``"None"`` stays a value, exactly as the server wrote it)."""
    if isinstance(source, pd.DataFrame):
        return source
    stream: Any = io.BytesIO(source) if isinstance(source, bytes) else Path(source)
    return pd.read_csv(stream, dtype=str, keep_default_na=False, na_values=[""])


def as_schema(schema: Schema | Mapping[str, Any] | str) -> Schema:
    if isinstance(schema, Schema):
        return schema
    return Schema.from_json(schema if isinstance(schema, str) else dict(schema))


def _step(rules: Rules | Mapping[str, Any], bound: Rules) -> float:
    """The step the server publishes gains at (a competition's ``published_step``; alpha from an
    older server that does not say)."""
    step = None if isinstance(rules, Rules) else rules.get("published_step")
    return float(step) if step else bound.alpha


def as_rules(rules: Rules | Mapping[str, Any]) -> Rules:
    """A ``Rules`` from itself or any mapping with ``alpha``, ``mu_min`` and ``z`` (a competition)."""
    if isinstance(rules, Rules):
        return rules
    return Rules(alpha=float(rules["alpha"]), mu_min=float(rules["mu_min"]), z=float(rules.get("z", 0.0)))


def group_tree(group: GroupInput, schema: Schema) -> dict[str, Any] | None:
    """The validated tree of a group given as text or as a JSON tree (None for a group model)."""
    if group is None:
        return None
    if isinstance(group, str):
        return groups.parse_text(group, schema)
    return groups.validate_tree(dict(group), schema)


def base_row_loss(loss: Any, labels: np.ndarray, base: np.ndarray) -> np.ndarray:
    base = np.asarray(base)
    if base.dtype.hasobject or base.shape[:1] != labels.shape:
        raise ValueError(
            f"the base predictions have shape {base.shape}; the train split has {labels.shape[0]} rows"
        )
    return np.asarray(loss.per_row(labels, base), dtype=np.float64)


def _mask_and_predictions(
    frame: pd.DataFrame,
    tree: dict[str, Any] | None,
    model: bytes,
    group_model: bytes | None,
    *,
    output: Any,
    classes: tuple[str, ...],
    schema: Schema,
    max_model_bytes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """What the sandbox child returns for the train split: the group's rows and h's predictions."""
    mask = None if tree is None else groups.evaluate(tree, frame, schema)
    pair = PairInput(
        model=bytes(model),
        group_model=None if group_model is None else bytes(group_model),
        output=output,
        classes=classes,
        max_model_bytes=max_model_bytes,
        splits=[SplitInput(name="train", frame=frame, mask=mask)],
        public=True,  # failures in full words, as the server's pre-check gives them
    )
    header, blobs = run(pair)
    (result,) = parse_pair(
        header,
        [memoryview(blob) for blob in blobs],
        rows={"train": len(frame)},
        masks={"train": mask},
        output=output,
        n_classes=len(classes),
    ).values()
    return result.mask, result.predictions


def check_locally(
    train_csv: CsvInput,
    schema_json: Schema | Mapping[str, Any] | str,
    rules: Rules | Mapping[str, Any],
    loss: str,
    base_predictions: np.ndarray,
    group: GroupInput,
    model_bytes: bytes,
    *,
    group_model: bytes | None = None,
    loss_params: Mapping[str, Any] | None = None,
    max_model_bytes: int = MAX_MODEL_BYTES,
) -> LocalCheck:
    """The server's check of (group, model) against the base model, on the public train split.

    ``group`` is the text form or a JSON tree; give ``group=None`` and ``group_model`` for a group
    defined by a classifier. ``base_predictions`` are the base model's predictions on the train
    rows in the form the loss reads (class codes, probabilities or values). Raises
    ``scoring.errors.EngineError`` for anything the server would refuse (invalid group, model or
    predictions) and ``ValueError`` when ``base_predictions`` do not fit the train split.
    """
    schema = as_schema(schema_json)
    bound_rules = as_rules(rules)
    bound_loss = get_loss(loss, schema, loss_params)
    if (group is None) == (group_model is None):
        raise ValueError("give the group as text or a tree, or as a group model, not both")
    tree = group_tree(group, schema)
    train = read_train_csv(train_csv)
    frame = canonical_frame(train, schema)
    labels = schema.encode_target(train[schema.target])
    current = base_row_loss(bound_loss, labels, base_predictions)
    mask, preds = _mask_and_predictions(
        frame,
        tree,
        model_bytes,
        group_model,
        output=bound_loss.output,
        classes=schema.classes,
        schema=schema,
        max_model_bytes=max_model_bytes,
    )
    h_loss = bound_loss.per_row(labels[mask], preds)
    stats = CheckStats.measure(mask, current, h_loss)
    decision = decide(stats, bound_rules)
    figures = decision.figures
    return LocalCheck(
        n_rows=stats.n,
        members=stats.members,
        figures=figures,
        accepted=decision.accepted,
        reason=decision.reason.value,
        public_gain=public_gain(figures.gain, _step(rules, bound_rules)) if decision.accepted else 0.0,
        alpha=bound_rules.alpha,
        mu_min=bound_rules.mu_min,
        z=bound_rules.z,
        group_text=groups.to_text(tree) if tree is not None else "(a group model)",
    )


def error_by_group(
    train: pd.DataFrame,
    schema: Schema,
    base_predictions: np.ndarray,
    loss: str,
    by: str | list[str],
    *,
    loss_params: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The base model's mean loss and row count per value of ``by`` on the train split, worst first:
    where to look for a weak group."""
    bound = get_loss(loss, schema, loss_params)
    labels = schema.encode_target(train[schema.target])
    row_loss = base_row_loss(bound, labels, base_predictions)
    frame = canonical_frame(train, schema)
    keys = [by] if isinstance(by, str) else list(by)
    table = frame[keys].assign(loss=row_loss)
    out = table.groupby(keys, observed=True, dropna=False)["loss"].agg(["mean", "size"])
    out = out.rename(columns={"mean": "loss", "size": "rows"})
    out["mass"] = out["rows"] / max(len(frame), 1)
    return out.sort_values("loss", ascending=False)
