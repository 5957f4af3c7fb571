"""The bounty check of a (group, model) pair against the current global model.

On the holdout (n rows), with ``mask = g(X)``, ``mu = mask.mean()`` and per-row gains
``d_i = mask_i * (loss(f_t(x_i), y_i) - loss(h(x_i), y_i))``:

- ``gain = mean(d) = mu * (L(f_t, g) - L(h, g)) = L(f_t) - L(f_{t+1})`` (an exact identity);
- ``se`` is the standard error of the mean of ``d`` over all n rows;
- accept iff ``mu >= mu_min`` and ``gain - z * se >= alpha``.

The check is computed from additive statistics (:class:`CheckStats`) so that shards of the holdout can
be scored apart and combined into exactly the same decision.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from scoring.errors import EngineError, Reason
from scoring.publish import DEFAULT_PUBLISH_K, publish

DEFAULT_BETA = 0.05


@dataclass(frozen=True)
class Rules:
    """A competition's acceptance rule."""

    alpha: float
    mu_min: float
    z: float = 0.0
    # No published holdout figure pins an error count closer than +/- publish_k (scoring.publish);
    # stores written before it existed read the default.
    publish_k: int = DEFAULT_PUBLISH_K
    # A finding (a group alone, scoring.finding) must show the current model's loss on the group above
    # the rest's by beta plus the margin; stores written before findings existed read the default.
    beta: float = DEFAULT_BETA

    def __post_init__(self) -> None:
        ok = self.alpha > 0 and 0 < self.mu_min <= 1 and self.z >= 0 and self.beta > 0
        if not ok or not all(map(math.isfinite, (self.alpha, self.mu_min, self.z, self.beta))):
            raise EngineError(
                Reason.SCHEMA_MISMATCH, "rules need alpha > 0, 0 < mu_min <= 1, z >= 0 and beta > 0"
            )
        if isinstance(self.publish_k, bool) or not isinstance(self.publish_k, int) or self.publish_k < 1:
            raise EngineError(Reason.SCHEMA_MISMATCH, "rules need publish_k, a whole number >= 1")


@dataclass(frozen=True)
class CheckStats:
    """Additive sufficient statistics of one check (sum them across shards)."""

    n: int
    members: int
    current_sum: float
    h_sum: float
    gain_sq_sum: float

    def __add__(self, other: CheckStats) -> CheckStats:
        return CheckStats(
            self.n + other.n,
            self.members + other.members,
            self.current_sum + other.current_sum,
            self.h_sum + other.h_sum,
            self.gain_sq_sum + other.gain_sq_sum,
        )

    @classmethod
    def measure(
        cls, mask: np.ndarray, current_loss: np.ndarray, h_loss: np.ndarray, rows: np.ndarray | None = None
    ) -> CheckStats:
        """Statistics from the current model's per-row loss on every row and h's on the group's rows
        (``rows``: ``np.flatnonzero(mask)`` when the caller has it, which saves the pass that finds them;
        numpy takes by index faster than it selects by mask)."""
        if mask.dtype != np.bool_ or mask.shape != current_loss.shape:
            raise EngineError(Reason.PREDICTION_ERROR, "the group mask does not fit the holdout")
        current = current_loss.take(np.flatnonzero(mask) if rows is None else rows)
        if h_loss.shape != current.shape:
            raise EngineError(Reason.PREDICTION_ERROR, "the model's predictions do not fit the group")
        diff = current - h_loss
        return cls(
            n=int(mask.shape[0]),
            members=int(current.shape[0]),
            current_sum=float(current.sum()),
            h_sum=float(h_loss.sum()),
            gain_sq_sum=float(np.dot(diff, diff)),
        )


@dataclass(frozen=True)
class Figures:
    """Organizer-only numbers behind a decision. Participants never see these."""

    mass: float
    loss_current: float
    loss_h: float
    gain: float
    se: float
    margin: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    accepted: bool
    reason: Reason
    figures: Figures


def figures_from(stats: CheckStats, rules: Rules) -> Figures:
    n, m = stats.n, stats.members
    if n == 0:
        raise EngineError(Reason.SCHEMA_MISMATCH, "the holdout is empty")
    gain = (stats.current_sum - stats.h_sum) / n
    var = (stats.gain_sq_sum - n * gain * gain) / (n - 1) if n > 1 else 0.0
    se = math.sqrt(max(var, 0.0) / n)
    return Figures(
        mass=m / n,
        loss_current=stats.current_sum / m if m else 0.0,
        loss_h=stats.h_sum / m if m else 0.0,
        gain=gain,
        se=se,
        margin=gain - rules.z * se - rules.alpha,
    )


def decide(stats: CheckStats, rules: Rules) -> Decision:
    """The decision for a pair whose check produced ``stats``."""
    figures = figures_from(stats, rules)
    if stats.members == 0 or figures.mass < rules.mu_min:
        return Decision(False, Reason.GROUP_TOO_SMALL, figures)
    if figures.margin < 0:
        return Decision(False, Reason.INSUFFICIENT_IMPROVEMENT, figures)
    return Decision(True, Reason.ACCEPTED, figures)


def public_gain(gain: float, step: float) -> float:
    """The gain a participant may see: rounded down to a multiple of the competition's published
    step (``scoring.publish``), never up."""
    return publish(gain, step)
