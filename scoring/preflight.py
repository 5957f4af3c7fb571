"""Pre-flight: what a holdout of n rows detects, and how many lucky accepts a submission budget buys.

The check (``scoring.check``) accepts iff ``mu >= mu_min`` and ``gain - z * se >= alpha``, with ``gain``
the mean of the per-row gains ``d_i = mask_i * (loss_f,i - loss_h,i)`` over the n holdout rows. With
``sigma = sd(d_i)`` and the normal approximation ``gain ~ N(true gain, sigma^2 / n)`` (independent rows,
``se ~ sigma / sqrt(n)``): ``P(accept) = Phi((D - alpha) sqrt(n) / sigma - z)`` for a true gain D, the
gain accepted 8 times in 10 is ``D80 = alpha + (z + Phi^-1(0.8)) sigma / sqrt(n)``, and K no-signal
submissions get about ``K (1 - Phi(z + alpha sqrt(n) / sigma_noise))`` lucky accepts. For a group of
mass m, ``sigma_m = sqrt(m * s2)`` with ``s2 = E[(loss_f - loss_h)^2 | g]``, which ``gain_spread``
estimates from the train split. The method and its simulation: ``docs/preflight.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.model_selection import KFold
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from scoring.losses import Loss

POWER = 0.8
TARGET = 0.05  # expected lucky accepts over the whole budget
NOISE_SD = 1.0  # a no-signal pair's per-row gain spread: losses lie in [0, 1], so |d_i| <= 1
MASSES = (0.02, 0.04, 0.1)
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
def accept_chance(gain: float, n: int, alpha: float, z: float, sigma: float) -> float:
    """P(accept) for a pair of true ``gain`` whose per-row gains have standard deviation ``sigma``."""
    if sigma <= 0:
        return float(gain >= alpha)
    return float(norm.cdf((gain - alpha) * math.sqrt(n) / sigma - z))


def detectable_gain(n: int, alpha: float, z: float, sigma: float, power: float = POWER) -> float:
    """The true gain accepted with probability ``power``: ``alpha + (z + Phi^-1(power)) sigma / sqrt(n)``."""
    return alpha + (z + float(norm.ppf(power))) * sigma / math.sqrt(n)


def false_accept_chance(n: int, alpha: float, z: float, noise_sd: float = NOISE_SD) -> float:
    """P(accept) for one pair with no real gain: ``1 - Phi(z + alpha sqrt(n) / noise_sd)``."""
    return float(norm.sf(z + alpha * math.sqrt(n) / noise_sd))


def expected_false_accepts(budget: int, n: int, alpha: float, z: float, noise_sd: float = NOISE_SD) -> float:
    """About how many of ``budget`` no-signal submissions get accepted: ``K * false_accept_chance``."""
    return budget * false_accept_chance(n, alpha, z, noise_sd)


def required_z(
    n: int, alpha: float, budget: int, noise_sd: float = NOISE_SD, target: float = TARGET
) -> float:
    """The smallest z keeping ``expected_false_accepts <= target``."""
    return max(0.0, float(norm.isf(target / budget)) - alpha * math.sqrt(n) / noise_sd)


def required_rows(
    alpha: float, z: float, budget: int, noise_sd: float = NOISE_SD, target: float = TARGET
) -> int:
    """The smallest holdout keeping ``expected_false_accepts <= target`` at this alpha and z."""
    need = float(norm.isf(target / budget)) - z
    return 0 if need <= 0 else math.ceil((need * noise_sd / alpha) ** 2)


# -- the report ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Detectable:
    """The smallest true gain accepted with probability ``power`` for a group of ``mass``."""

    mass: float
    sigma: float  # per-row standard deviation of the gains on the whole holdout
    gain: float  # D80: a fall of the overall loss
    group_loss_drop: float  # the same as a fall of the group's own mean loss: gain / mass


@dataclass(frozen=True)
class Settings:
    alpha: float
    mu_min: float
    z: float
    expected_false_accepts: float
    detectable: tuple[Detectable, ...]


@dataclass(frozen=True)
class Explanations:
    """Plain words for the organizer, one sentence or two per item."""

    alpha: str
    mu_min: str
    z: str
    false_accepts: str
    power: str
    suggestion: str


@dataclass(frozen=True)
class Report:
    holdout_rows: int
    alpha: float
    mu_min: float
    z: float
    budget: int  # K = teams x total quota
    spread: Spread
    noise_sd: float
    power: float
    target: float
    detectable: tuple[Detectable, ...]  # at mu_min, 0.02, 0.04 and 0.1 (those >= mu_min)
    false_accept_chance: float  # of one no-signal submission
    expected_false_accepts: float
    suggested: Settings
    explain: Explanations

    @property
    def enough(self) -> bool:
        return self.expected_false_accepts <= self.target


def settings_for(
    n: int, alpha: float, mu_min: float, z: float, budget: int, spread: Spread, noise_sd: float, power: float
) -> Settings:
    found = []
    for m in (mu_min, *(m for m in MASSES if m > mu_min)):
        gain = detectable_gain(n, alpha, z, spread.sigma(m), power)
        found.append(Detectable(m, spread.sigma(m), gain, gain / m))
    return Settings(alpha, mu_min, z, expected_false_accepts(budget, n, alpha, z, noise_sd), tuple(found))


def suggest(
    n: int,
    mu_min: float,
    budget: int,
    spread: Spread,
    *,
    alpha: float,
    noise_sd: float = NOISE_SD,
    target: float = TARGET,
    power: float = POWER,
) -> Settings:
    """Settings keeping the expected lucky accepts at most ``target`` with the smallest D80.

    At ``z = required_z(alpha)``, ``D80(m) = alpha * (1 - sigma_m / noise_sd) + const`` grows with alpha
    whenever ``sigma_m < noise_sd``: the margin is best spent on z, which scales with each pair's own
    noise. So alpha is lowered to one standard error of a smallest group's gain (finer steps measure
    only noise), never raised above the organizer's; z is then the smallest that meets the target."""
    floor = max(spread.sigma(mu_min) / math.sqrt(n), 1.0 / n)
    low = min(alpha, _round_up(floor))
    z = math.ceil(required_z(n, low, budget, noise_sd, target) * 100 - 1e-9) / 100
    return settings_for(n, low, mu_min, z, budget, spread, noise_sd, power)


def _round_up(x: float) -> float:
    """Up to one significant digit: 0.00037 -> 0.0004."""
    scale = 10.0 ** math.floor(math.log10(x))
    return float(f"{math.ceil(x / scale - 1e-9) * scale:.2g}")


def assess(
    *,
    holdout_rows: int,
    alpha: float,
    mu_min: float,
    z: float,
    budget: int,
    spread: Spread | None = None,
    noise_sd: float = NOISE_SD,
    target: float = TARGET,
    power: float = POWER,
) -> Report:
    """The pre-flight report for a competition's rules. ``spread`` comes from ``gain_spread`` (or
    ``fallback_spread``); without one the loss bound ``s2 = 1`` is used, which is very cautious."""
    ok = holdout_rows >= 2 and alpha > 0 and 0 < mu_min <= 1 and z >= 0 and budget >= 1
    if not (ok and 0 < target < budget and 0 < power < 1 and noise_sd > 0):
        raise ValueError("need n >= 2, alpha > 0, 0 < mu_min <= 1, z >= 0, budget >= 1, 0 < target < budget")
    n, spread = holdout_rows, spread or fallback_spread()
    now = settings_for(n, alpha, mu_min, z, budget, spread, noise_sd, power)
    best = suggest(n, mu_min, budget, spread, alpha=alpha, noise_sd=noise_sd, target=target, power=power)
    return Report(
        holdout_rows=n,
        alpha=alpha,
        mu_min=mu_min,
        z=z,
        budget=budget,
        spread=spread,
        noise_sd=noise_sd,
        power=power,
        target=target,
        detectable=now.detectable,
        false_accept_chance=false_accept_chance(n, alpha, z, noise_sd),
        expected_false_accepts=now.expected_false_accepts,
        suggested=best,
        explain=explain(n, budget, now, best, target, power),
    )


def explain(n: int, budget: int, now: Settings, best: Settings, target: float, power: float) -> Explanations:
    """The organizer's words for ``now`` (the chosen settings) and ``best`` (the suggested ones)."""
    lucky, odds = now.expected_false_accepts, f"{round(power * 10)} times in 10"
    about = f"with {budget:,} submissions about {lucky:.2g} lucky accepts are expected"
    if now.z == 0:
        z_text = (
            "z = 0: no margin for noise. A pair is accepted as soon as its measured gain reaches alpha, "
            f"however noisy the measurement; {about} (updates that gain nothing on new data)."
        )
    else:
        z_text = (
            f"z = {now.z:g}: a pair must beat alpha by {now.z:g} standard errors of its own measured "
            f"gain, a margin for the holdout's noise; {about}."
        )

    def caught(s: Settings) -> str:
        shown = [d for d in s.detectable if d.mass in MASSES[:2]] or list(s.detectable[:1])
        drops = " or ".join(f"{d.group_loss_drop:.3g} (a group of {d.mass:.0%} of the rows)" for d in shown)
        return f"a fix is accepted {odds} when it lowers its group's mean loss by {drops}"

    return Explanations(
        alpha=f"alpha = {now.alpha:g}: the smallest fall of the overall loss an update must show on the "
        f"holdout, on top of the noise margin. Gains are shown in steps of alpha; the list holds at most "
        f"1/alpha = {math.floor(1 / now.alpha):,} updates.",
        mu_min=f"mu_min = {now.mu_min:g}: the smallest group allowed, as a share of the rows "
        f"({math.ceil(now.mu_min * n):,} of the {n:,} holdout rows).",
        z=z_text,
        false_accepts=f"Lucky accepts: a participant with no real improvement who spends the whole budget "
        f"({budget:,} submissions = teams x total quota) gets about {lucky:.2g} updates accepted, "
        f"{'within' if lucky <= target else 'above'} the target of {target:g}.",
        power=f"Detectable fixes: {caught(now)}; smaller fixes are often missed.",
        suggestion=f"Suggested: alpha = {best.alpha:g}, z = {best.z:g}, mu_min = {best.mu_min:g}: about "
        f"{best.expected_false_accepts:.2g} lucky accepts, and {caught(best)}. An alpha below one "
        "standard error of a smallest group's gain would measure only noise.",
    )
