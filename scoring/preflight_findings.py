"""Pre-flight for findings: how many false findings the budget can buy, and how large a gap is found.

A finding is accepted iff its group holds at least ``mu_min`` of the n holdout rows and ``gap - z * se >=
beta`` (``scoring.finding``), where ``gap`` is the current model's mean loss on the group minus its mean
loss on the rest and ``se = sqrt(var_in / m + var_out / (n - m))``. With per-row losses in [0, 1] each
variance is at most 1/4, so for a group of m rows ``se <= s_m = 0.5 * sqrt(1/m + 1/(n - m))``, largest
for the smallest group (``m = mu_min * n``). Under the normal approximation:

- a group on which the model does no worse than on the rest is accepted with chance at most
  ``1 - Phi(z + beta / s_m)``; over a budget of K findings (the whole budget, the worst case) about
  ``K * (1 - Phi(z + beta / s_min))`` false findings are expected;
- a real gap is found 8 times in 10 when it is at least ``beta + (z + Phi^-1(0.8)) * s_m``.

The figures use the bound 1/4 on the variances, so they are cautious when losses spread less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from scoring.preflight import _amount

LOSS_SD = 0.5  # per-row losses lie in [0, 1]: a standard deviation of at most 1/2
POWER = 0.8
TARGET = 0.05  # expected false findings over the whole budget
MASSES = (0.02, 0.04, 0.1)


@dataclass(frozen=True)
class FindingGap:
    """The smallest real gap found with probability ``POWER`` for a group of ``mass``."""

    mass: float
    gap: float


@dataclass(frozen=True)
class FindingReport:
    beta: float
    z: float
    budget: int
    smallest_group_rows: int
    false_finding_chance: float  # of one finding on a group with no real gap, at the smallest mass
    expected_false_findings: float  # if the whole budget went to such findings
    target: float
    detectable: tuple[FindingGap, ...]
    explanation: str

    @property
    def enough(self) -> bool:
        return self.expected_false_findings <= self.target


def gap_se(holdout_rows: int, mass: float, loss_sd: float = LOSS_SD) -> float:
    """The bound on the standard error of a gap for a group of ``mass`` of the holdout."""
    inside = max(1, math.ceil(mass * holdout_rows))
    outside = max(1, holdout_rows - inside)
    return loss_sd * math.sqrt(1.0 / inside + 1.0 / outside)


def assess_findings(
    *, holdout_rows: int, beta: float, mu_min: float, z: float, budget: int, target: float = TARGET
) -> FindingReport:
    """The findings part of the pre-flight for a competition's rules."""
    if not (holdout_rows >= 2 and beta > 0 and 0 < mu_min <= 1 and z >= 0 and budget >= 1):
        raise ValueError("need n >= 2, beta > 0, 0 < mu_min <= 1, z >= 0 and budget >= 1")
    chance = float(norm.sf(z + beta / gap_se(holdout_rows, mu_min)))
    masses = (mu_min, *(m for m in MASSES if m > mu_min))
    found = tuple(
        FindingGap(m, beta + (z + float(norm.ppf(POWER))) * gap_se(holdout_rows, m)) for m in masses
    )
    expected = budget * chance
    gaps = " or ".join(f"{d.gap:.3g} (a group of {d.mass:.0%} of the rows)" for d in found[:2])
    explanation = (
        f"beta = {beta:g}: a finding must show the model's loss on its group above the rest's by beta, "
        f"plus z = {z:g} standard errors. A gap of {gaps} is found 8 times in 10; if the whole budget "
        f"went to findings on groups the model treats no worse, about {_amount(expected)} would be "
        f"accepted, {'within' if expected <= target else 'above'} the target of {target:g}."
    )
    return FindingReport(
        beta=beta,
        z=z,
        budget=budget,
        smallest_group_rows=math.ceil(mu_min * holdout_rows),
        false_finding_chance=chance,
        expected_false_findings=expected,
        target=target,
        detectable=found,
        explanation=explanation,
    )
