"""An independent check of published holdout figures (``tests/platform/test_published_figures.py``).

Nothing here calls ``scoring.publish``: the step, the consistent error counts and the expected figures
are computed again from the holdout's labels and predictions, with exact fractions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

NUMBER = re.compile(r"(?<![\w.#/:-])(\d+\.\d+|\d+)(%?)(?!\w|\.\d)")


def nice_step(rows: int, k: int) -> Fraction:
    """The smallest 1, 2, 2.5 or 5 x 10^m that is at least 2k / rows (written out again, on purpose)."""
    need = Fraction(2 * k, rows)
    candidates = (Fraction(m) * Fraction(10) ** e for e in range(-9, 7) for m in (1, 2, Fraction(5, 2), 5))
    return min(c for c in candidates if c >= need)


def floor_to(value: Fraction, step: Fraction) -> Fraction:
    return math.floor(value / step) * step


def percent(part: Fraction, whole: Fraction) -> Fraction:
    """100 x part / whole to 2 decimals, halves to even like Python's ``round`` on the float."""
    return Fraction(str(round(float(100 * part / whole), 2)))


def count_width(figure: str, step: Fraction, rows: int) -> Fraction:
    """How many loss-sum units (errors) of ``rows`` rows are consistent with ``figure``.

    A figure that is a multiple of the published step is read as the documented rule says (rounded
    down to the step): ``[f, f + step)``. Any other figure is read at face value, as a rounding to its
    own decimals: ``[f - u/2, f + u/2)`` with ``u = 10^-decimals`` (so an exact float pins everything)."""
    value = Fraction(figure)
    if value % step == 0:
        return step * rows
    decimals = len(figure.split(".")[1]) if "." in figure else 0
    return Fraction(1, 10**decimals) * rows


@dataclass(frozen=True)
class Truth:
    """The holdout, counted independently: rows, the base model's errors and what may be published."""

    rows: int
    base_errors: int
    k: int
    step: Fraction
    team_gains: dict[str, Fraction]  # each team's exact gains, each rounded down to the step, summed

    @property
    def base(self) -> Fraction:
        return floor_to(Fraction(self.base_errors, self.rows), self.step)

    @property
    def public_loss(self) -> Fraction:
        return self.base - sum(self.team_gains.values(), Fraction(0))

    def percents(self) -> set[Fraction]:
        """Every share a surface may show: credits, the public loss and the improvement."""
        parts = [*self.team_gains.values(), self.public_loss, self.base - self.public_loss, Fraction(0)]
        return {percent(p, self.base) for p in parts}

    def check(self, text: str, where: str, *, rules: AbstractSet[str] = frozenset()) -> int:
        """Every number of ``text`` (rule values in ``rules`` aside): a percent must be one derived from
        published values; any other figure must leave at least 2k error counts consistent with it.
        Returns how many figures were checked."""
        checked = 0
        for number, pct in NUMBER.findall(text):
            if number in rules or ("." not in number and not pct):
                continue  # a rule, a count of rows, a version or a rank: not a holdout figure
            checked += 1
            if pct:
                assert Fraction(number) in self.percents(), (
                    f"{where}: {number}% is not derived from published figures"
                )
                continue
            width = count_width(number, self.step, self.rows)
            assert width >= 2 * self.k, f"{where}: {number} pins the error count to +/- {float(width) / 2:g}"
        return checked


def rate_figure(hits: np.ndarray, k: int, min_size: int) -> Fraction | None:
    """A report rate as it must be published: its own rows' step, rounded down (None below min_size)."""
    if hits.size < min_size:
        return None
    return floor_to(Fraction(int(hits.sum()), int(hits.size)), nice_step(int(hits.size), k))


def binary_figures(y: np.ndarray, pred: np.ndarray, k: int, min_size: int) -> list[Fraction | None]:
    """error, false positive rate and false negative rate, as a binary report publishes them."""
    if y.size < min_size:
        return [None, None, None]
    return [
        rate_figure(pred != y, k, min_size),
        rate_figure(pred[y == 0] == 1, k, min_size),
        rate_figure(pred[y == 1] != 1, k, min_size),
    ]
