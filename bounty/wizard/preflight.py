"""Pre-flight: is the holdout large enough for the chosen alpha and submission budget?

The check accepts (g, h) when its measured gain, the mean of the per-row gains
``d_i = g(x_i) * (loss(f(x_i), y_i) - loss(h(x_i), y_i))``, is at least ``alpha``. Losses lie in [0, 1],
so each ``d_i`` lies in [-1, 1], a range of 2. Hoeffding's inequality bounds the chance that one
submission's measured gain is off from its true gain by ``alpha`` or more by
``2 exp(-2 n alpha^2 / 2^2) = 2 exp(-n alpha^2 / 2)``; a union (Bonferroni) bound over the
competition's whole budget of ``K`` submissions keeps every one of them within ``alpha`` with
probability at least ``1 - delta`` when

    n >= 2 ln(2 K / delta) / alpha^2        (= ln(2K/delta) / (2 alpha^2) for a [0, 1] quantity,
                                             times 4 because a gain spans [-1, 1]).

Then no submission whose true gain is zero or negative is accepted, and each accepted one really
gains something, except with probability delta. This follows the design note
(``bias-bounty-algorithm.md``, "The check" and "Holdout integrity": the z-margin "e.g. the Bonferroni
value for the competition's total submission budget" and rate limits bound what adaptive participants
can learn). With ``z > 0`` the check already adds ``z`` standard errors of margin; the suggested
``z`` is the one-sided normal quantile for ``delta / K``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

FORMULA = "n ≥ 2·ln(2K/δ) / α²"
DEFAULT_DELTA = 0.05


@dataclass(frozen=True)
class Preflight:
    holdout_rows: int
    alpha: float
    budget: int  # K: total submissions the competition allows (teams x quota per team)
    delta: float
    required_rows: int
    smallest_alpha: float  # the alpha this holdout supports for this budget
    suggested_z: float
    min_group_rows: int  # mu_min of the holdout, in rows
    max_nodes: int  # the list has at most L(f0) / alpha <= 1 / alpha nodes

    @property
    def enough(self) -> bool:
        return self.holdout_rows >= self.required_rows

    @property
    def formula(self) -> str:
        return FORMULA


def required_rows(alpha: float, budget: int, delta: float = DEFAULT_DELTA) -> int:
    """The smallest holdout size n with ``n >= 2 ln(2K/delta) / alpha^2``."""
    _check(alpha, budget, delta)
    return math.ceil(2.0 * math.log(2.0 * budget / delta) / alpha**2)


def preflight(
    *, holdout_rows: int, alpha: float, mu_min: float, budget: int, delta: float = DEFAULT_DELTA
) -> Preflight:
    _check(alpha, budget, delta)
    log_term = math.log(2.0 * budget / delta)
    return Preflight(
        holdout_rows=holdout_rows,
        alpha=alpha,
        budget=budget,
        delta=delta,
        required_rows=required_rows(alpha, budget, delta),
        smallest_alpha=math.sqrt(2.0 * log_term / holdout_rows) if holdout_rows > 0 else math.inf,
        suggested_z=float(norm.isf(delta / budget)),
        min_group_rows=math.ceil(mu_min * holdout_rows),
        max_nodes=math.floor(1.0 / alpha),
    )


def _check(alpha: float, budget: int, delta: float) -> None:
    if not (alpha > 0 and budget >= 1 and 0 < delta < 1):
        raise ValueError("need alpha > 0, a budget of at least one submission and 0 < delta < 1")
