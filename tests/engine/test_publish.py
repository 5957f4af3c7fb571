"""The published step: no figure published at it pins a loss sum (an error count) closer than +/- k."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scoring.check import Rules
from scoring.engine.settings import Settings
from scoring.errors import EngineError
from scoring.publish import (
    DEFAULT_PUBLISH_K,
    percent_of,
    publish,
    published_step,
    step_decimals,
)

rows = st.integers(min_value=1, max_value=5_000_000)
ks = st.integers(min_value=1, max_value=1_000)


def is_nice(step: float) -> bool:
    exponent = math.floor(math.log10(step))
    mantissa = Fraction(step).limit_denominator(10**9) / Fraction(10) ** exponent
    return any(abs(float(mantissa) - m) < 1e-9 for m in (1, 2, 2.5, 5))


def counts_consistent(figure: float, step: float, n: int) -> range:
    """Every whole loss sum c (0..n) whose loss c / n publishes as ``figure`` (brute force)."""
    low = max(0, math.floor((figure - 2 * step) * n))
    high = min(n, math.ceil((figure + 2 * step) * n))
    hits = [c for c in range(low, high + 1) if publish(c / n, step) == figure]
    return range(hits[0], hits[-1] + 1) if hits else range(0)


@given(n=rows, k=ks)
def test_the_step_is_the_smallest_nice_value_wide_enough(n: int, k: int) -> None:
    step = published_step(n, k)
    assert n * step >= 2 * k - 1e-6
    assert is_nice(step)
    smaller = [step * f for f in (0.4, 0.5, 0.8)]  # the nice values just below (5->2.5, 2->1, 2.5->2 ...)
    assert not any(is_nice(s) and n * s >= 2 * k + 1e-9 for s in smaller if s < step * 0.999)


@given(
    n=st.integers(min_value=20, max_value=20_000), k=st.integers(min_value=1, max_value=50), data=st.data()
)
def test_no_published_loss_pins_the_error_count_closer_than_k(n: int, k: int, data: st.DataObject) -> None:
    step = published_step(n, k)
    errors = data.draw(st.integers(min_value=0, max_value=n))
    figure = publish(errors / n, step)
    consistent = counts_consistent(figure, step, n)
    assert errors in consistent
    if figure + step <= 1:  # below the top of [0, 1], the whole interval of sums is available
        assert len(consistent) >= 2 * k


@given(value=st.floats(min_value=0, max_value=1), n=rows, k=ks)
def test_a_published_figure_is_a_multiple_of_the_step_never_above_the_value(
    value: float, n: int, k: int
) -> None:
    step = published_step(n, k)
    figure = publish(value, step)
    assert figure <= value + 1e-9 * step
    assert value - figure < step * (1 + 1e-9)
    units = figure / step
    assert abs(units - round(units)) < 1e-6
    digits = step_decimals(step)
    exact = Fraction(round(units)) * Fraction(repr(step))
    assert f"{figure:.{digits}f}" == f"{float(exact):.{digits}f}"
    assert Fraction(f"{figure:.{digits}f}") == exact  # the written figure is exactly the multiple


@given(n=rows, k=ks, data=st.data())
def test_derived_figures_depend_only_on_published_values(n: int, k: int, data: st.DataObject) -> None:
    """Two holdouts whose figures publish alike give the same credit: it is a function of the
    published gain and base loss only."""
    step = published_step(n, k)
    assume(step <= 1)
    base = data.draw(st.floats(min_value=step, max_value=1))
    gain = data.draw(st.floats(min_value=0, max_value=base))
    jitter = data.draw(st.floats(min_value=0, max_value=0.999))
    twin_base = publish(base, step) + jitter * step  # another true base loss with the same figure
    twin_gain = publish(gain, step) + jitter * step
    if publish(twin_base, step) != publish(base, step) or publish(twin_gain, step) != publish(gain, step):
        return  # float edge: the twin left the bucket
    credit = percent_of(publish(gain, step), publish(base, step))
    assert credit == percent_of(publish(twin_gain, step), publish(twin_base, step))


def test_the_issue_example_no_longer_pins_the_base_errors() -> None:
    # 12,210 holdout rows and 1,807 base errors (0.14799...): the page said 0.1480, which left 1807 +/- 0.6
    step = published_step(12_210, DEFAULT_PUBLISH_K)
    assert step == 0.002
    figure = publish(1807 / 12_210, step)
    assert figure == 0.146
    consistent = counts_consistent(figure, step, 12_210)
    assert 1807 in consistent and len(consistent) >= 2 * DEFAULT_PUBLISH_K  # 1783..1807: 25 counts
    assert percent_of(0.016, figure) == 10.96


@pytest.mark.parametrize(
    ("n", "k", "step"), [(12_210, 10, 0.002), (2, 1, 1.0), (100, 10, 0.2), (800, 1, 0.0025)]
)
def test_known_steps(n: int, k: int, step: float) -> None:
    assert published_step(n, k) == step


def test_stores_written_before_publish_k_read_the_default() -> None:
    rules = Rules(alpha=0.01, mu_min=0.05, z=1.0)
    data = Settings.from_json(
        {
            "schema": {
                "columns": [{"name": "a", "kind": "numeric"}],
                "target": "y",
                "task": "regression",
                "target_range": [0, 1],
            },
            "loss": "squared",
            "loss_params": {},
            "rules": {"alpha": 0.01, "mu_min": 0.05, "z": 1.0},  # no publish_k
            "limits": {},
        }
    )
    assert data.rules == rules and data.rules.publish_k == DEFAULT_PUBLISH_K


@pytest.mark.parametrize("k", [0, -3, 2.5, True])
def test_rules_refuse_a_publish_k_that_is_not_a_whole_number_of_at_least_one(k: object) -> None:
    with pytest.raises(EngineError, match="publish_k"):
        Rules(alpha=0.01, mu_min=0.05, publish_k=k)  # type: ignore[arg-type]
