"""Pre-flight for the wizard's review page and the model card: the engine's data-driven report
(``scoring.preflight``) in the fields those pages show.

Two questions, both under the engine's own acceptance rule (``gain - z * se >= alpha``):

- how many lucky accepts can a participant with no real improvement expect over the competition's whole
  budget ``K`` (expected teams x total quota)? About ``K * (1 - Phi(z + alpha * sqrt(n)))``: a per-row
  gain lies in [-1, 1], so its standard deviation is at most 1 whatever the pair;
- how large a fix is accepted 8 times in 10 on a group of mass m? ``D80 = alpha + (z + 0.84) sigma_m /
  sqrt(n)``, with ``sigma_m`` estimated from the train split (``gain_spread``) when the caller has it,
  otherwise from the base model's mean loss or, without that, the loss bound.

``enough`` means the expected lucky accepts are within the target (0.05); the suggested alpha and z
keep them there while making ``D80`` small. Method, assumptions and the simulation behind the numbers:
``docs/preflight.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

from scoring.preflight import (
    NOISE_SD,
    TARGET,
    Detectable,
    Explanations,
    Report,
    Spread,
    assess,
    fallback_spread,
    gain_spread,
)
from scoring.preflight import required_rows as _required_rows

__all__ = ["FORMULA", "Preflight", "Spread", "fallback_spread", "gain_spread", "preflight", "required_rows"]

FORMULA = "lucky accepts ≈ K·(1 − Φ(z + α·√n));  D80 = α + (z + 0.84)·σ_m/√n"  # noqa: RUF001


@dataclass(frozen=True)
class Preflight:
    holdout_rows: int
    alpha: float
    mu_min: float
    z: float
    budget: int  # K: total submissions the competition allows (teams x quota per team)
    target: float  # the most lucky accepts the organizer should accept over the whole budget
    expected_false_accepts: float
    required_rows: int  # the smallest holdout keeping the lucky accepts within target at this alpha, z
    smallest_alpha: float  # the smallest alpha keeping them within target at this z and holdout
    suggested_alpha: float
    suggested_z: float
    min_group_rows: int  # mu_min of the holdout, in rows
    max_nodes: int  # the list has at most L(f0) / alpha <= 1 / alpha nodes
    report: Report  # everything else: the spread, detectable gains, the suggestion's figures

    @property
    def enough(self) -> bool:
        return self.report.enough

    @property
    def detectable(self) -> tuple[Detectable, ...]:
        return self.report.detectable

    @property
    def explain(self) -> Explanations:
        return self.report.explain

    @property
    def formula(self) -> str:
        return FORMULA


def required_rows(alpha: float, budget: int, *, z: float = 0.0, target: float = TARGET) -> int:
    """The smallest holdout size with at most ``target`` expected lucky accepts over ``budget``
    submissions at this alpha and z (0 when z alone is margin enough)."""
    _check(alpha, budget, target)
    return _required_rows(alpha, z, budget, NOISE_SD, target)


def preflight(
    *,
    holdout_rows: int,
    alpha: float,
    mu_min: float,
    budget: int,
    z: float,
    spread: Spread | None = None,
    target: float = TARGET,
) -> Preflight:
    """The pre-flight figures for a competition's rules. Pass the competition's own ``z`` (0 is
    assessed, and explained, as "no margin for noise"); ``spread`` from ``gain_spread`` on the train
    split, or ``fallback_spread(mean base loss)``; without one the loss bound is used."""
    _check(alpha, budget, target)
    report = assess(
        holdout_rows=holdout_rows,
        alpha=alpha,
        mu_min=mu_min,
        z=z,
        budget=budget,
        spread=spread,
        target=target,
    )
    margin = float(norm.isf(target / budget)) - z
    return Preflight(
        holdout_rows=holdout_rows,
        alpha=alpha,
        mu_min=mu_min,
        z=z,
        budget=budget,
        target=target,
        expected_false_accepts=report.expected_false_accepts,
        required_rows=required_rows(alpha, budget, z=z, target=target),
        smallest_alpha=max(margin, 0.0) * NOISE_SD / math.sqrt(holdout_rows),
        suggested_alpha=report.suggested.alpha,
        suggested_z=report.suggested.z,
        min_group_rows=math.ceil(mu_min * holdout_rows),
        max_nodes=math.floor(1.0 / alpha),
        report=report,
    )


def _check(alpha: float, budget: int, target: float) -> None:
    if not (alpha > 0 and budget >= 1 and 0 < target < budget):
        raise ValueError("need alpha > 0, a budget of at least one submission and 0 < target < budget")
