"""A competition's landscapes: the train one reads no hidden row or label; the holdout one is the
organizers'; a later version's landscape uses that version's predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.census import SCHEMA
from scoring import groups
from scoring.engine import Store
from scoring.engine.landscape import holdout_landscape, train_landscape
from scoring.frames import read_frame
from tests.engine.test_engine_store import MARRIED, built, fit_on, store, train  # noqa: F401 (fixtures)

pytestmark = pytest.mark.engine


def test_the_train_landscape_is_the_base_models_loss_on_train_rows(store: Store) -> None:  # noqa: F811
    landscape = train_landscape(store, head=0)
    frame = store.frame("train")
    loss = store.loss.per_row(store.train_labels(), store.train_base_predictions())
    assert landscape["rows"] == len(frame) and landscape["loss"] == round(float(loss.mean()), 4)
    assert landscape["scoring"]["min_rows"] == max(30, int(np.ceil(0.01 * len(frame))))
    for item in landscape["slices"]:
        mask = groups.evaluate(groups.validate_tree(item["tree"], SCHEMA), frame, SCHEMA)
        assert item["rows"] == mask.sum() and item["loss"] == pytest.approx(loss[mask].mean(), abs=1e-4)


def test_the_train_landscape_does_not_change_when_the_holdout_labels_do(store: Store) -> None:  # noqa: F811
    before = train_landscape(store, head=0)
    holdout = read_frame(store.frame_dir("holdout"))
    shuffled = Store(store.directory)
    dl = shuffled.decision_list(0)
    cache = dl.splits["holdout"]
    cache.labels[:] = np.random.default_rng(0).permutation(cache.labels)
    cache.row_loss[:] = cache.loss.per_row(cache.labels, cache.preds)
    assert train_landscape(shuffled, head=0) == before
    assert holdout_landscape(shuffled, head=0) != holdout_landscape(store, head=0)
    assert len(holdout) == holdout_landscape(store, head=0)["rows"]


def test_a_later_versions_landscape_uses_its_predictions(store: Store, train: pd.DataFrame) -> None:  # noqa: F811
    evaluation = store.evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=fit_on(train, MARRIED))
    decision, _ = store.commit(evaluation, label="1", head=0)
    assert decision.accepted
    base, fixed = train_landscape(store, head=1, version=0), train_landscape(store, head=1, version=1)
    married = next(level for column in fixed["columns"] if column["name"] == "marital_status"
                   for level in column["levels"] if level["name"] == "Married")  # fmt: skip
    married_base = next(level for column in base["columns"] if column["name"] == "marital_status"
                        for level in column["levels"] if level["name"] == "Married")  # fmt: skip
    assert married["loss"] < married_base["loss"]


def test_the_holdout_landscape_cuts_numeric_columns_where_the_train_one_does(store: Store) -> None:  # noqa: F811
    assert holdout_landscape(store, head=0)["cuts"] == train_landscape(store, head=0)["cuts"]


def test_the_holdout_landscape_says_how_much_of_each_slice_accepted_groups_cover(
    store: Store,  # noqa: F811
    train: pd.DataFrame,  # noqa: F811
) -> None:
    before = holdout_landscape(store, head=0)
    assert before["covered"] == 0.0 and all(item["covered"] == 0.0 for item in before["slices"])
    evaluation = store.evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=fit_on(train, MARRIED))
    assert store.commit(evaluation, label="1", head=0)[0].accepted
    after = holdout_landscape(store, head=1)
    frame = store.frame("holdout")
    married = groups.evaluate(groups.parse_text(MARRIED, SCHEMA), frame, SCHEMA)
    assert after["covered"] == round(float(married.mean()), 4)
    for item in after["slices"]:
        mask = groups.evaluate(groups.validate_tree(item["tree"], SCHEMA), frame, SCHEMA)
        assert item["covered"] == round(float(married[mask].mean()), 4)
