"""The findings part of the pre-flight against simulation with the engine's own check."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.check import Rules
from scoring.finding import GapStats, decide_finding
from scoring.preflight_findings import assess_findings, gap_se

ROWS, MU_MIN, BUDGET = 2000, 0.02, 200


def accept_rate(*, gap: float, mass: float, beta: float, z: float, trials: int = 4000) -> float:
    """How often the engine accepts a group of ``mass`` whose true gap is ``gap`` (0/1 losses)."""
    rng = np.random.default_rng(7)
    rules = Rules(alpha=0.01, mu_min=MU_MIN, z=z, beta=beta)
    members = int(np.ceil(mass * ROWS))
    mask = np.zeros(ROWS, dtype=bool)
    mask[:members] = True
    chance = np.where(mask, 0.5 + gap / 2, 0.5 - gap / 2)
    accepted = 0
    for _ in range(trials):
        losses = (rng.random(ROWS) < chance).astype(np.float64)
        accepted += decide_finding(GapStats.measure(mask, losses), rules).accepted
    return accepted / trials


def test_the_false_finding_chance_bounds_what_the_check_accepts_on_no_gap() -> None:
    report = assess_findings(holdout_rows=ROWS, beta=0.02, mu_min=MU_MIN, z=1.0, budget=BUDGET)
    simulated = accept_rate(gap=0.0, mass=MU_MIN, beta=0.02, z=1.0)
    assert simulated <= report.false_finding_chance * 1.3 + 0.005
    assert report.expected_false_findings == pytest.approx(BUDGET * report.false_finding_chance)


def test_the_detectable_gap_is_found_about_eight_times_in_ten() -> None:
    report = assess_findings(holdout_rows=ROWS, beta=0.05, mu_min=MU_MIN, z=2.0, budget=BUDGET)
    smallest = report.detectable[0]
    assert smallest.mass == MU_MIN and report.smallest_group_rows == 40
    assert 0.7 <= accept_rate(gap=smallest.gap, mass=MU_MIN, beta=0.05, z=2.0) <= 0.95


def test_larger_groups_need_smaller_gaps_and_a_larger_margin_buys_fewer_false_findings() -> None:
    loose = assess_findings(holdout_rows=ROWS, beta=0.01, mu_min=MU_MIN, z=0.0, budget=BUDGET)
    strict = assess_findings(holdout_rows=ROWS, beta=0.05, mu_min=MU_MIN, z=3.4, budget=BUDGET)
    gaps = [d.gap for d in strict.detectable]
    assert gaps == sorted(gaps, reverse=True)
    assert gap_se(ROWS, 0.1) < gap_se(ROWS, MU_MIN)
    assert strict.enough and not loose.enough
    assert "beta = 0.05" in strict.explanation and "within the target" in strict.explanation


def test_refuses_rules_it_cannot_assess() -> None:
    with pytest.raises(ValueError):
        assess_findings(holdout_rows=ROWS, beta=0.0, mu_min=MU_MIN, z=1.0, budget=BUDGET)
