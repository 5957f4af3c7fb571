"""Publishing holdout figures: one step per competition, so that no public figure pins an error count.

A loss is a mean of per-row losses in [0, 1] over ``n`` rows; ``n x loss`` is its *loss sum* (for the
0-1 loss, the number of errors; for other losses, one "error" is one unit of summed loss). A figure
published at the step ``s`` says only which multiple of ``s`` the loss rounds to, so the loss sums
consistent with it fill an interval ``n x s`` wide (every figure is rounded *down*, so this holds at
zero too: a published 0 says "fewer than n x s"). ``published_step(n, k)`` is the smallest "nice"
value (1, 2, 2.5 or 5 x 10^m) with ``n x s >= 2k``: no published figure pins the loss sum closer than
+/- k. Figures derived from published ones (a share of the published base loss, a sum of published
gains) carry no more information than those, whatever their rounding.

- Losses and gains are published rounded down to a multiple of the step (``publish``); a gain is
  thus never overstated.
- Shares are given in percent of a published whole, to ``PERCENT_DIGITS`` decimals (``percent_of``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

DEFAULT_PUBLISH_K = 10
NICE = (Fraction(1), Fraction(2), Fraction(5, 2), Fraction(5))
PERCENT_DIGITS = 2
_TOLERANCE = 1e-9  # a value a hair below a multiple (float noise) counts as that multiple


def published_step(n_rows: int, k: int, unit: float = 1.0) -> float:
    """The smallest nice value ``s`` (1, 2, 2.5 or 5 x 10^m) with ``n_rows x s >= 2 k x unit``.

    ``unit`` is one "error" in the figure's own units: 1 for a loss scaled to [0, 1] or a rate; the
    squared target range for a mean squared error in the target's units."""
    if n_rows < 1 or k < 1 or not unit > 0 or not math.isfinite(unit):
        raise ValueError("published_step needs n_rows >= 1, k >= 1 and a positive unit")
    target = Fraction(2 * k, n_rows) * Fraction(unit)
    exponent = math.floor(math.log10(target)) - 1
    while True:
        scale = Fraction(10) ** exponent
        for nice in NICE:
            if nice * scale >= target:
                return float(nice * scale)
        exponent += 1


def step_decimals(step: float) -> int:
    """How many decimals show every multiple of ``step`` exactly (0.0025 -> 4, 2 -> 0)."""
    exponent = Decimal(repr(step)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _multiple(units: int, step: float) -> float:
    return round(units * step, step_decimals(step))


def publish(value: float, step: float) -> float:
    """``value`` rounded down to a multiple of ``step``, never below zero."""
    return _multiple(max(math.floor(value / step + _TOLERANCE), 0), step)


def percent_of(part: float, whole: float | None) -> float | None:
    """``part`` in percent of ``whole``, to ``PERCENT_DIGITS`` decimals (None without a positive whole).

    Both must be published figures: the result then carries nothing the holdout did not already say."""
    if whole is None or whole <= 0:
        return None
    return round(100.0 * part / whole, PERCENT_DIGITS)
