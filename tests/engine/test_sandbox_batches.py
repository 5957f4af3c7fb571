"""The sandboxed child predicts a split a batch of rows at a time (memory bounded at ten million rows):
the group's rows and h's predictions are exactly those of one call on every row."""

from __future__ import annotations

import numpy as np
import pytest
import skops.io as sio
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.sandbox import predict as child
from tests.engine.model_zoo import LABELS, fitted_zoo, make_frame

pytestmark = pytest.mark.engine
FRAME = make_frame(1_000, seed=3)


def run(model: str, output: str, mask: np.ndarray | None, group: str | None) -> tuple[dict, list[bytes]]:
    zoo = fitted_zoo()
    pair = child.PairInput(
        model=sio.dumps(zoo[model].model),
        group_model=sio.dumps(zoo[group].model) if group else None,
        output=output,  # type: ignore[arg-type]
        classes=LABELS,
        max_model_bytes=50 * 2**20,
        splits=[child.SplitInput("holdout", FRAME, mask)],
    )
    message, blobs = child.run(pair)
    return message, [bytes(b) for b in blobs]


@settings(max_examples=8, deadline=None)
@given(
    batch=st.integers(min_value=1, max_value=1_200),
    seed=st.integers(min_value=0, max_value=2**16),
    model=st.sampled_from(["logistic", "hist_gb_native_categorical", "random_forest"]),
    output=st.sampled_from(["label", "proba"]),
    group_model=st.booleans(),
)
def test_batches_of_rows_predict_exactly_as_one_call(
    batch: int, seed: int, model: str, output: str, group_model: bool
) -> None:
    mask = None if group_model else np.random.default_rng(seed).random(len(FRAME)) < 0.4
    group = "decision_tree" if group_model else None
    whole = run(model, output, mask, group)
    saved = child.BATCH_ROWS
    child.BATCH_ROWS = batch
    try:
        batched = run(model, output, mask, group)
    finally:
        child.BATCH_ROWS = saved
    assert batched == whole
