"""The check of a finding: a group on which the current model does worse than on the rest, by beta.

A finding is a group alone, with no model. On the holdout (n rows), with ``mask = g(X)`` holding m rows
and the current model's per-row losses ``l_i``:

- ``gap = mean(l | g) - mean(l | not g)``, the group's loss minus the rest's;
- ``se = sqrt(var(l | g) / m + var(l | not g) / (n - m))``, the standard error of that difference;
- accept iff ``m / n >= mu_min``, ``m < n`` and ``gap - z * se >= beta``.

The mass rule and the margin (z) are a pair's; beta plays alpha's part. Like a pair's, the check is
computed from additive statistics, and participants see only the reason category and, once accepted,
the gap rounded down to the competition's published step.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from scoring.check import Rules
from scoring.errors import EngineError, Reason


@dataclass(frozen=True)
class GapStats:
    """Sums of the current model's per-row losses inside and outside the group."""

    n: int
    members: int
    in_sum: float
    in_sq: float
    out_sum: float
    out_sq: float

    @classmethod
    def measure(cls, mask: np.ndarray, row_loss: np.ndarray) -> GapStats:
        if mask.dtype != np.bool_ or mask.shape != row_loss.shape:
            raise EngineError(Reason.PREDICTION_ERROR, "the group mask does not fit the holdout")
        inside = row_loss[mask]
        total, total_sq = float(row_loss.sum()), float(np.dot(row_loss, row_loss))
        in_sum, in_sq = float(inside.sum()), float(np.dot(inside, inside))
        return cls(
            n=int(mask.shape[0]),
            members=int(inside.shape[0]),
            in_sum=in_sum,
            in_sq=in_sq,
            out_sum=total - in_sum,
            out_sq=total_sq - in_sq,
        )


@dataclass(frozen=True)
class GapFigures:
    """Organizer-only numbers behind a finding's decision."""

    mass: float
    loss_group: float
    loss_rest: float
    gap: float
    se: float
    margin: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class FindingDecision:
    accepted: bool
    reason: Reason
    figures: GapFigures


def _mean_var(total: float, squares: float, count: int) -> tuple[float, float]:
    if count == 0:
        return 0.0, 0.0
    mean = total / count
    var = (squares - count * mean * mean) / (count - 1) if count > 1 else 0.0
    return mean, max(var, 0.0)


def gap_figures(stats: GapStats, rules: Rules) -> GapFigures:
    n, m = stats.n, stats.members
    if n == 0:
        raise EngineError(Reason.SCHEMA_MISMATCH, "the holdout is empty")
    group, group_var = _mean_var(stats.in_sum, stats.in_sq, m)
    rest, rest_var = _mean_var(stats.out_sum, stats.out_sq, n - m)
    gap = group - rest
    se = math.sqrt((group_var / m if m else 0.0) + (rest_var / (n - m) if n > m else 0.0))
    return GapFigures(
        mass=m / n,
        loss_group=group,
        loss_rest=rest,
        gap=gap,
        se=se,
        margin=gap - rules.z * se - rules.beta,
    )


def decide_finding(stats: GapStats, rules: Rules) -> FindingDecision:
    """The decision for a finding whose check produced ``stats``."""
    figures = gap_figures(stats, rules)
    if stats.members == 0 or figures.mass < rules.mu_min:
        return FindingDecision(False, Reason.GROUP_TOO_SMALL, figures)
    if stats.members == stats.n or figures.margin < 0:
        return FindingDecision(False, Reason.GAP_TOO_SMALL, figures)
    return FindingDecision(True, Reason.ACCEPTED, figures)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """The share of the rows in either mask that are in both (1 for two equal groups, 0 if disjoint)."""
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 0.0


def covered(finding: np.ndarray, group: np.ndarray) -> float:
    """The share of the finding's rows that ``group`` holds."""
    size = int(np.count_nonzero(finding))
    return int(np.count_nonzero(finding & group)) / size if size else 0.0
