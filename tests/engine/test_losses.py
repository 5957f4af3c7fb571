"""Every loss is a per-row loss in [0, 1], lower is better, looked up by name."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring.errors import EngineError
from scoring.losses import LOSSES, get_loss
from scoring.schema import Column, Kind, Schema, Task

COLS = (Column("x", Kind.NUMERIC),)
BINARY = Schema(COLS, "y", Task.BINARY, classes=("no", "yes"))
MULTI = Schema(COLS, "y", Task.MULTICLASS, classes=("a", "b", "c"))
REGRESSION = Schema(COLS, "y", Task.REGRESSION, target_range=(-10.0, 30.0))
COSTS = {"costs": [[0, 1, 4], [2, 0, 1], [1, 1, 0]]}


def test_every_named_loss_is_listed_with_its_output_kind() -> None:
    assert set(LOSSES) == {"zero_one", "cost_weighted", "brier", "log_loss", "squared", "absolute"}
    assert {i.output for i in LOSSES.values()} == {"label", "proba", "value"}


def test_unknown_loss_and_wrong_task_are_refused() -> None:
    with pytest.raises(EngineError, match="unknown loss"):
        get_loss("accuracy", BINARY)
    with pytest.raises(EngineError, match="does not fit"):
        get_loss("squared", BINARY)
    with pytest.raises(EngineError, match="does not fit"):
        get_loss("zero_one", REGRESSION)


def test_cost_matrix_must_be_square_nonnegative_with_zero_diagonal() -> None:
    for costs in ([[0, 1], [1, 0]], [[1, 1, 1], [1, 0, 1], [1, 1, 0]], [[0, -1, 1]] * 3):
        with pytest.raises(EngineError):
            get_loss("cost_weighted", MULTI, {"costs": costs})


def test_perfect_predictions_have_zero_loss_and_worst_have_one() -> None:
    y = np.array([0, 1, 2, 1])
    onehot = np.eye(3)[y]
    assert get_loss("zero_one", MULTI).per_row(y, y).sum() == 0
    assert get_loss("brier", MULTI).per_row(y, onehot).sum() == 0
    assert get_loss("log_loss", MULTI).per_row(y, onehot).sum() == pytest.approx(0)
    wrong = np.eye(3)[(y + 1) % 3]
    assert np.allclose(get_loss("brier", MULTI).per_row(y, wrong), 1)
    assert np.allclose(get_loss("log_loss", MULTI).per_row(y, wrong), 1)
    yr = np.array([-10.0, 30.0])
    assert np.allclose(get_loss("squared", REGRESSION).per_row(yr, yr[::-1]), 1)
    assert np.allclose(get_loss("absolute", REGRESSION).per_row(yr, yr[::-1]), 1)


def test_cost_weighted_scales_by_the_largest_cost() -> None:
    loss = get_loss("cost_weighted", MULTI, COSTS)
    y, pred = np.array([0, 1, 2, 0]), np.array([2, 0, 0, 0])
    assert np.allclose(loss.per_row(y, pred), [1.0, 0.5, 0.25, 0.0])


def _proba(draw: st.DrawFn, n: int, k: int) -> np.ndarray:
    raw = draw(arrays(np.float64, (n, k), elements=st.floats(0, 1)))
    raw = raw + 1e-9
    return raw / raw.sum(axis=1, keepdims=True)


@st.composite
def classification_case(draw: st.DrawFn) -> tuple[str, Schema, np.ndarray, np.ndarray]:
    schema = draw(st.sampled_from([BINARY, MULTI]))
    name = draw(st.sampled_from(["zero_one", "cost_weighted", "brier", "log_loss"]))
    k, n = len(schema.classes), draw(st.integers(1, 50))
    y = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    if LOSSES[name].output == "label":
        pred = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    else:
        pred = _proba(draw, n, k)
    return name, schema, y, pred


@settings(max_examples=200, deadline=None)
@given(classification_case())
def test_classification_losses_stay_in_unit_interval(case: tuple) -> None:  # type: ignore[type-arg]
    name, schema, y, pred = case
    params = COSTS if name == "cost_weighted" and schema is MULTI else {}
    if name == "cost_weighted" and schema is BINARY:
        params = {"costs": [[0, 1], [5, 0]]}
    out = get_loss(name, schema, params).per_row(y, pred)
    assert out.shape == y.shape and np.all((out >= 0) & (out <= 1))


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["squared", "absolute"]), st.data())
def test_regression_losses_stay_in_unit_interval(name: str, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 50))
    y = data.draw(arrays(np.float64, n, elements=st.floats(-10, 30)))
    pred = data.draw(arrays(np.float64, n, elements=finite))
    out = get_loss(name, REGRESSION).per_row(y, pred)
    assert np.all((out >= 0) & (out <= 1))
