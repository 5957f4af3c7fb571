"""The bounty check: mass floor, the alpha rule, the z margin and additive statistics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring.check import CheckStats, Rules, decide, public_gain
from scoring.errors import EngineError, Reason


def stats_for(mask: np.ndarray, current: np.ndarray, h_on_group: np.ndarray) -> CheckStats:
    return CheckStats.measure(mask, current, h_on_group)


def test_rejects_group_below_minimum_mass() -> None:
    mask = np.zeros(1000, dtype=bool)
    mask[:5] = True
    decision = decide(stats_for(mask, np.ones(1000), np.zeros(5)), Rules(alpha=1e-4, mu_min=0.01))
    assert not decision.accepted and decision.reason is Reason.GROUP_TOO_SMALL


def test_rejects_an_empty_group_as_too_small() -> None:
    mask = np.zeros(100, dtype=bool)
    decision = decide(stats_for(mask, np.ones(100), np.zeros(0)), Rules(alpha=0.01, mu_min=0.01))
    assert decision.reason is Reason.GROUP_TOO_SMALL and decision.figures.gain == 0


def test_accepts_when_gain_reaches_alpha() -> None:
    mask = np.zeros(100, dtype=bool)
    mask[:20] = True
    current = np.where(mask, 1.0, 0.0)
    decision = decide(stats_for(mask, current, np.zeros(20)), Rules(alpha=0.2, mu_min=0.1))
    assert decision.accepted and decision.reason is Reason.ACCEPTED
    assert decision.figures.gain == pytest.approx(0.2)
    assert decision.figures.mass == 0.2


def test_rejects_improvement_below_alpha() -> None:
    mask = np.ones(100, dtype=bool)
    decision = decide(stats_for(mask, np.full(100, 0.5), np.full(100, 0.49)), Rules(0.02, 0.1))
    assert decision.reason is Reason.INSUFFICIENT_IMPROVEMENT


def test_z_margin_rejects_a_noisy_gain_that_the_plain_rule_accepts() -> None:
    rng = np.random.default_rng(0)
    mask = np.ones(400, dtype=bool)
    current = rng.integers(0, 2, 400).astype(float)
    h = np.where(rng.uniform(size=400) < 0.06, 0.0, current)  # lowers the loss on a few rows
    stats = stats_for(mask, current, h)
    assert decide(stats, Rules(alpha=0.01, mu_min=0.1, z=0)).accepted
    assert decide(stats, Rules(alpha=0.01, mu_min=0.1, z=3)).reason is (Reason.INSUFFICIENT_IMPROVEMENT)


def test_rules_refuse_nonsense_settings() -> None:
    for bad in ((0, 0.1, 0), (0.1, 0, 0), (0.1, 1.5, 0), (0.1, 0.1, -1), (float("nan"), 0.1, 0)):
        with pytest.raises(EngineError):
            Rules(*bad)


def test_mask_of_wrong_length_is_a_prediction_error() -> None:
    with pytest.raises(EngineError) as err:
        CheckStats.measure(np.ones(5, dtype=bool), np.ones(6), np.ones(5))
    assert err.value.reason is Reason.PREDICTION_ERROR


@pytest.mark.parametrize(
    ("gain", "alpha", "shown"),
    [(0.0349, 0.01, 0.03), (0.03, 0.01, 0.03), (0.0099, 0.01, 0.0), (-0.5, 0.01, 0.0)],
)
def test_public_gain_rounds_down_to_a_multiple_of_alpha(gain: float, alpha: float, shown: float) -> None:
    assert public_gain(gain, alpha) == pytest.approx(shown)
    assert public_gain(gain, alpha) <= max(gain, 0) + 1e-12


losses01 = arrays(np.float64, st.integers(2, 300), elements=st.floats(0, 1))


@settings(max_examples=200, deadline=None)
@given(losses01, st.data())
def test_gain_and_se_match_the_per_row_definition(current: np.ndarray, data: st.DataObject) -> None:
    n = current.shape[0]
    mask = data.draw(arrays(np.bool_, n))
    h = data.draw(arrays(np.float64, int(mask.sum()), elements=st.floats(0, 1)))
    figures = decide(stats_for(mask, current, h), Rules(alpha=0.01, mu_min=0.01)).figures
    d = np.zeros(n)
    d[mask] = current[mask] - h
    assert figures.gain == pytest.approx(d.mean(), abs=1e-12)
    # Compared squared: the statistics are additive sums, so the variance carries a rounding error
    # of order 1e-16, which a square root near zero turns into 1e-8.
    assert figures.se**2 == pytest.approx(d.var(ddof=1) / n, abs=1e-13)
    if mask.any():
        delta = current[mask].mean() - h.mean()
        assert figures.gain == pytest.approx(figures.mass * delta, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(losses01, st.data(), st.integers(1, 5))
def test_statistics_summed_over_shards_give_the_same_decision(
    current: np.ndarray, data: st.DataObject, shards: int
) -> None:
    n = current.shape[0]
    mask = data.draw(arrays(np.bool_, n))
    h_all = data.draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    rules = Rules(alpha=0.005, mu_min=0.05, z=1.0)
    whole = decide(stats_for(mask, current, h_all[mask]), rules)
    parts = np.array_split(np.arange(n), shards)
    total = sum(
        (stats_for(mask[p], current[p], h_all[p][mask[p]]) for p in parts[1:]),
        stats_for(mask[parts[0]], current[parts[0]], h_all[parts[0]][mask[parts[0]]]),
    )
    combined = decide(total, rules)
    assert combined.accepted == whole.accepted and combined.reason == whole.reason
    assert combined.figures.gain == pytest.approx(whole.figures.gain, abs=1e-12)
