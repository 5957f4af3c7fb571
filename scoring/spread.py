"""How much real fixes' per-row gains spread on an organizer's data, estimated on the train split
(``scoring.preflight`` turns it into the pre-flight's figures; see ``docs/preflight.md``).

For a group of mass m the gain is zero outside the group, so ``var(d) = m * E[(dloss)^2 | g] - gain^2``
and ``sigma_m = sqrt(m * s2)``. ``gain_spread`` estimates ``s2`` with cross-fitted candidate models on
candidate groups; ``fallback_spread`` bounds it from the base losses alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from scoring.losses import Loss

MIN_TRAIN_ROWS = 1000
MIN_GROUP_ROWS = 100
MAX_GROUP_MASS = 0.3


@dataclass(frozen=True)
class Spread:
    """``s2 = E[(loss_f - loss_h)^2 | row in g]`` of typical pairs, and how it was found."""

    second_moment: float
    method: str  # "cross-fitted", "bound from base losses" or "loss bound"
    rows: int = 0  # train rows used
    groups: tuple[tuple[float, float], ...] = ()  # (mass, s2) of each candidate group measured

    def sigma(self, mass: float) -> float:
        """The per-row standard deviation of the gains on the whole holdout for a group of ``mass``."""
        return math.sqrt(max(mass, 0.0) * self.second_moment)


def fallback_spread(base_loss: np.ndarray | float | None = None) -> Spread:
    """``s2`` without fitting: ``E[(a - b)^2] <= E[a^2] + E[b^2] <= E[a^2] + E[a]`` for losses a, b in
    [0, 1] when the pair does not raise the mean loss (``E[b] <= E[a]``); 1 (the loss bound) without
    losses."""
    losses = np.atleast_1d(np.asarray(1.0 if base_loss is None else base_loss, dtype=np.float64))
    if base_loss is None or losses.size == 0:
        return Spread(1.0, "loss bound")
    square = float(np.mean(losses**2)) if losses.size > 1 else float(losses[0])  # a mean: E[a^2] <= E[a]
    return Spread(min(1.0, square + float(losses.mean())), "bound from base losses", int(losses.size))


def gain_spread(
    features: pd.DataFrame,
    y: np.ndarray,
    base_loss: np.ndarray,
    loss: Loss,
    *,
    mu_min: float = 0.01,
    classes: int = 0,
    folds: int = 3,
    columns: int = 8,
    max_rows: int = 50_000,
    quantile: float = 1.0,
    seed: int = 0,
) -> Spread:
    """Estimate ``s2`` on the train split: on candidate groups (single categories, quantile ranges of
    numeric columns, mass in [mu_min, 0.3]) shallow trees fitted on the other folds of the group play
    ``h``; ``s2`` is the ``quantile`` of the groups' mean squared per-row gain. ``y`` holds class codes
    (classification) or values; ``classes`` is the number of classes (default: ``max(y) + 1``)."""
    n = len(y)
    if n < MIN_TRAIN_ROWS:
        return fallback_spread(base_loss)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=min(n, max_rows), replace=False))
    frame = features.iloc[rows].reset_index(drop=True)
    target, base = np.asarray(y)[rows], np.asarray(base_loss, dtype=np.float64)[rows]
    k = classes or (int(target.max()) + 1 if loss.output != "value" else 0)
    matrix = _numeric(frame)
    found: list[tuple[float, float]] = []
    for mask in _candidate_groups(frame, base, mu_min, columns, rng):
        members = np.flatnonzero(mask)
        gains = _cross_fitted_gains(matrix[members], target[members], base[members], loss, k, folds, seed)
        found.append((len(members) / len(rows), float(np.mean(gains**2))))
    if len(found) < 3:
        return fallback_spread(base_loss)
    s2 = float(np.quantile([s for _, s in found], quantile))
    return Spread(s2, "cross-fitted", len(rows), tuple(found))


def _numeric(frame: pd.DataFrame) -> np.ndarray:
    out = np.empty((len(frame), frame.shape[1]), dtype=np.float64)
    for j, name in enumerate(frame.columns):
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            out[:, j] = col.cat.codes.to_numpy(dtype=np.float64)
        elif pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
            out[:, j] = np.nan_to_num(
                values, nan=float(np.nanmedian(values)) if np.isfinite(values).any() else 0
            )
        else:
            out[:, j] = pd.factorize(col)[0]
    return out


def _candidate_groups(
    frame: pd.DataFrame, base: np.ndarray, mu_min: float, columns: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Per column: the worst group (highest mean base loss, where a fix is sought) and a random one."""
    names = list(frame.columns)
    low, groups = max(mu_min, MIN_GROUP_ROWS / max(len(frame), 1)), []
    top = max(MAX_GROUP_MASS, low)
    for j in rng.choice(len(names), size=min(columns, len(names)), replace=False):
        col = frame[names[int(j)]]
        if pd.api.types.is_numeric_dtype(col) and col.nunique() > 12:
            ranks = col.rank(pct=True).to_numpy(dtype=np.float64, na_value=np.nan)
            width = float(np.exp(rng.uniform(math.log(max(low, 0.02)), math.log(top))))
            options = [(ranks > s) & (ranks <= s + width) for s in np.linspace(0, 1 - width, 10)]
        else:
            shares = col.value_counts(normalize=True)
            values = [v for v, s in shares.items() if low <= s <= top]
            options = [(col == v).to_numpy(dtype=bool, na_value=False) for v in values]
        options = [g for g in options if low <= g.mean() <= top + 0.05]
        if options:
            worst = max(range(len(options)), key=lambda i: float(base[options[i]].mean()))
            other = int(rng.integers(len(options)))
            groups += [options[i] for i in sorted({worst, other})]
    return groups


def _cross_fitted_gains(
    x: np.ndarray, y: np.ndarray, base: np.ndarray, loss: Loss, k: int, folds: int, seed: int
) -> np.ndarray:
    """Per-row gains ``base - loss_h`` with each row's ``h`` fitted on the group's other folds."""
    gains = np.empty(len(y), dtype=np.float64)
    leaf = max(20, len(y) // 50)
    for fit, held in KFold(folds, shuffle=True, random_state=seed).split(x):
        if loss.output == "value":
            reg = DecisionTreeRegressor(max_depth=3, min_samples_leaf=leaf, random_state=seed)
            pred: np.ndarray = reg.fit(x[fit], y[fit]).predict(x[held])
        else:
            tree = DecisionTreeClassifier(max_depth=3, min_samples_leaf=leaf, random_state=seed)
            tree.fit(x[fit], y[fit])
            pred = _class_output(tree, x[held], loss, k)
        gains[held] = base[held] - loss.per_row(y[held], pred)
    return gains


def _class_output(tree: DecisionTreeClassifier, x: np.ndarray, loss: Loss, k: int) -> np.ndarray:
    if loss.output == "label":
        return np.asarray(tree.predict(x), dtype=np.int64)
    proba = np.zeros((len(x), k), dtype=np.float64)
    proba[:, np.asarray(tree.classes_, dtype=np.int64)] = tree.predict_proba(x)
    return 0.98 * proba + 0.02 / k  # a little smoothing, as any sensible model has


# -- the formulas ----------------------------------------------------------------------------------
