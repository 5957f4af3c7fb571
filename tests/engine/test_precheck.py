"""The pre-check: a pair run in the sandbox on a few hundred public train rows, its failures worded in
full (the rows are public), while a run on the hidden rows still gives only the category."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.tree import DecisionTreeClassifier

from benchmarks.census import NUMERIC, SCHEMA, census_frame
from benchmarks.engine import base_model
from scoring.engine import PRECHECK_ROWS, Rules, Store, create_store, precheck
from scoring.errors import EngineError, Reason

pytestmark = pytest.mark.engine
OLD = {"col": "age", "op": ">=", "value": 40.0}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    train = census_frame(4000, 0)
    directory = tmp_path_factory.mktemp("precheck") / "c"
    create_store(
        directory=directory,
        schema=SCHEMA,
        loss="zero_one",
        rules=Rules(alpha=0.002, mu_min=0.01),
        splits={"train": train, "holdout": census_frame(3000, 1), "confirmation": census_frame(2000, 2)},
        base_model=base_model(train),
    )
    return Store(directory)


def numeric_only() -> bytes:
    """A bare tree fitted on the numeric columns: the competition's frame has columns it never saw."""
    train = census_frame(500, 3)
    frame = SCHEMA.coerce(train)[list(NUMERIC)]
    return bytes(sio.dumps(DecisionTreeClassifier(max_depth=2).fit(frame, train["income"])))


def test_a_good_pair_runs_on_a_sample_of_the_train_rows(store: Store) -> None:
    assert precheck(store, group=OLD, model=base_model(census_frame(500, 4))) == PRECHECK_ROWS
    assert (store.directory / "frames" / "precheck" / "frame.json").exists()


def test_a_model_missing_columns_is_refused_with_scikit_learns_words_on_public_rows_only(
    store: Store,
) -> None:
    with pytest.raises(EngineError) as public:
        precheck(store, group=OLD, model=numeric_only())
    assert public.value.reason is Reason.SCHEMA_MISMATCH
    assert "Feature names unseen at fit time" in public.value.message
    assert "marital_status" in public.value.message
    with pytest.raises(EngineError) as hidden:
        store.evaluate(group=OLD, model=numeric_only())
    assert "Feature names" not in hidden.value.message and "marital_status" not in hidden.value.message


def test_a_model_fitted_on_an_array_is_told_so(store: Store) -> None:
    train = census_frame(500, 5)
    array = SCHEMA.coerce(train)[list(NUMERIC)].to_numpy()
    model = bytes(sio.dumps(DecisionTreeClassifier(max_depth=2).fit(array, train["income"])))
    with pytest.raises(EngineError) as caught:
        precheck(store, group=OLD, model=model)
    assert caught.value.reason is Reason.SCHEMA_MISMATCH
    assert caught.value.message.startswith("The model was fitted without column names")


def test_a_group_model_is_prechecked_with_its_rows(store: Store) -> None:
    train = census_frame(500, 6)
    frame: pd.DataFrame = SCHEMA.coerce(train)[list(NUMERIC)]
    group = bytes(sio.dumps(DecisionTreeClassifier(max_depth=1).fit(frame, np.asarray(frame["age"] > 40))))
    with pytest.raises(EngineError, match=r"^The group model raised ValueError") as caught:
        precheck(store, group=group, model=base_model(train))
    assert caught.value.field == "group_model"


def test_the_sample_is_spread_over_the_train_split(tmp_path: Path) -> None:
    from scoring.engine.precheck import sample_rows

    rows = sample_rows(10_000)
    assert len(rows) == PRECHECK_ROWS and rows[0] == 0 and rows[-1] == 9_999
    assert list(sample_rows(7)) == list(range(7))
