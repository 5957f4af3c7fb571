"""A small synthetic world for decision-list tests: interval groups and rule models the runner evaluates.

Groups are ``{"col": "x<j>", "op": "between", "low", "high"}`` trees over numeric features; a model is a JSON
rule (bytes) that predicts a class from a threshold on one feature. Both are evaluated here, in plain numpy,
so the list can be checked against an independent reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from scoring.check import Rules
from scoring.losses import get_loss
from scoring.pdl import DecisionList, GroupSpec, Node
from scoring.schema import Column, Kind, Schema, Task

N_FEATURES = 3
SCHEMA = Schema(
    columns=tuple(Column(f"x{j}", Kind.NUMERIC) for j in range(N_FEATURES)),
    target="y",
    task=Task.BINARY,
    classes=("0", "1"),
)


@dataclass(frozen=True)
class Pair:
    col: int
    low: float
    high: float
    rule_col: int
    threshold: float
    flip: bool

    @property
    def tree(self) -> dict[str, object]:
        return {"col": f"x{self.col}", "op": "between", "low": self.low, "high": self.high}

    @property
    def model(self) -> bytes:
        rule = {"col": self.rule_col, "threshold": self.threshold, "flip": self.flip}
        return json.dumps(rule, sort_keys=True).encode()


def make_world(seed: int, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Features and labels for a holdout and a confirmation split."""
    rng = np.random.default_rng(seed)
    out = {}
    for split in ("holdout", "confirmation"):
        x = rng.uniform(0, 1, size=(n, N_FEATURES))
        noise = rng.uniform(0, 1, size=n) < 0.15
        y = ((x[:, 0] + x[:, 1] > 1.0) ^ noise).astype(np.int64)
        out[split] = (x, y)
    return out


def in_group(x: np.ndarray, tree: dict[str, object]) -> np.ndarray:
    col = int(str(tree["col"])[1:])
    return (x[:, col] >= float(tree["low"])) & (x[:, col] <= float(tree["high"]))  # type: ignore[arg-type]


def rule_predict(x: np.ndarray, model: bytes, output: str) -> np.ndarray:
    rule = json.loads(model)
    label = (x[:, rule["col"]] > rule["threshold"]) ^ rule["flip"]
    if output == "label":
        return label.astype(np.int64)
    p1 = np.where(label, 0.8, 0.2)
    return np.column_stack([1 - p1, p1])


def base_predict(x: np.ndarray, output: str) -> np.ndarray:
    return rule_predict(x, json.dumps({"col": 0, "threshold": 0.5, "flip": False}).encode(), output)


def new_list(world: dict[str, tuple[np.ndarray, np.ndarray]], loss: str, alpha: float) -> DecisionList:
    output = "proba" if loss in ("brier", "log_loss") else "label"
    return DecisionList(
        loss=get_loss(loss, SCHEMA),
        rules=Rules(alpha=alpha, mu_min=0.01),
        labels={s: y for s, (_, y) in world.items()},
        base_preds={s: base_predict(x, output) for s, (x, _) in world.items()},
    )


def submit(dl: DecisionList, world: dict[str, tuple[np.ndarray, np.ndarray]], pair: Pair, label: str):  # type: ignore[no-untyped-def]
    masks = {s: in_group(x, pair.tree) for s, (x, _) in world.items()}
    preds = {s: rule_predict(x[masks[s]], pair.model, dl.loss.output) for s, (x, _) in world.items()}
    return dl.commit(spec=GroupSpec(tree=pair.tree), model=pair.model, masks=masks, preds=preds, label=label)


class WorldRunner:
    """Evaluates the list's nodes on a feature matrix (the test's own reference implementation)."""

    def __init__(self, x: np.ndarray) -> None:
        self.x = x

    def group_mask(self, dl: DecisionList, group: int, rows: np.ndarray) -> np.ndarray:
        tree = dl.ledger.entries[group].spec.tree
        assert tree is not None
        return in_group(self.x[rows], tree)

    def model_predict(self, dl: DecisionList, node: Node, rows: np.ndarray) -> np.ndarray:
        assert node.model_sha is not None
        return rule_predict(self.x[rows], dl.models[node.model_sha], dl.loss.output)

    def base_predict(self, dl: DecisionList, rows: np.ndarray) -> np.ndarray:
        return base_predict(self.x[rows], dl.loss.output)


def smart_pair(rng: np.random.Generator) -> Pair:
    """A pair that is usually good locally: a band of x0 with the best x1-threshold for it.

    Wide bands with a middling threshold are good on average but worse on narrow earlier bands, which is
    what makes repairs necessary.
    """
    width = float(rng.choice([0.08, 0.15, 0.3, 0.6, 1.0]))
    low = float(rng.uniform(0, 1 - width))
    threshold = 1 - (low + width / 2) + float(rng.normal(0, 0.05))
    return Pair(0, low, low + width, 1, threshold, False)


def random_pair(rng: np.random.Generator) -> Pair:
    if rng.uniform() < 0.7:
        return smart_pair(rng)
    low = float(rng.uniform(0, 0.8))
    return Pair(
        int(rng.integers(N_FEATURES)),
        low,
        low + float(rng.uniform(0.05, 0.5)),
        int(rng.integers(N_FEATURES)),
        float(rng.uniform(0, 1)),
        bool(rng.integers(2)),
    )
