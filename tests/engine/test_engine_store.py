"""The engine facade: a competition directory, evaluating pairs in the sandbox, committing at a head."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier

from benchmarks.census import CATEGORIES, SCHEMA, census_frame
from benchmarks.engine import base_model
from scoring import groups
from scoring.engine import Rules, Store, create_store, open_store
from scoring.errors import EngineError, Reason

MARRIED = 'marital_status == "Married"'


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return census_frame(20000, 0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, train: pd.DataFrame) -> Path:
    directory = tmp_path_factory.mktemp("store") / "c"
    create_store(
        directory=directory,
        schema=SCHEMA,
        loss="zero_one",
        rules=Rules(alpha=0.002, mu_min=0.01),
        splits={"train": train, "holdout": census_frame(8000, 1), "confirmation": census_frame(4000, 2)},
        base_model=base_model(train),
    )
    return directory


@pytest.fixture()
def store(built: Path, tmp_path: Path) -> Store:
    """A fresh copy of the built store for each test (the list grows as tests commit)."""
    import shutil

    shutil.copytree(built, tmp_path / "c")
    return Store(tmp_path / "c")


def fit_on(train: pd.DataFrame, text: str) -> bytes:
    coerced = SCHEMA.coerce(train)
    mask = groups.evaluate(groups.parse_text(text, SCHEMA), coerced, SCHEMA)
    model = HistGradientBoostingClassifier(random_state=0).fit(coerced[mask], train["income"][mask])
    return sio.dumps(model)


def test_accepted_pair_becomes_version_one_and_predict_matches_the_cache(
    store: Store, train: pd.DataFrame
) -> None:
    tree = groups.parse_text(MARRIED, SCHEMA)
    evaluation = store.evaluate(group=tree, model=fit_on(train, MARRIED))
    decision, versions = store.commit(evaluation, label="1", head=0)
    assert decision.accepted and [v.kind for v in versions] == ["update"]
    assert versions[0].holdout_loss < store.decision_list(0).base_losses()["holdout"]
    predicted = store.predict(store.frame_dir("holdout"), head=1)
    assert np.array_equal(predicted, store.decision_list(1).predictions("holdout"))


def test_a_group_given_as_a_classifier_is_evaluated_in_the_sandbox(store: Store, train: pd.DataFrame) -> None:
    coerced = SCHEMA.coerce(train)
    member = (coerced["marital_status"] == "Married").to_numpy()
    encode = ColumnTransformer([("cat", OrdinalEncoder(), list(CATEGORIES))])
    group_model = Pipeline([("enc", encode), ("tree", DecisionTreeClassifier(max_depth=3))])
    group_model.fit(coerced, member)
    evaluation = store.evaluate(group=sio.dumps(group_model), model=fit_on(train, MARRIED))
    tree_masks = groups.evaluate(groups.parse_text(MARRIED, SCHEMA), store.frame("holdout"), SCHEMA)
    assert np.array_equal(evaluation.masks["holdout"], tree_masks)
    decision, _ = store.commit(evaluation, label="2", head=0)
    assert decision.accepted


def test_a_pickle_model_is_refused_as_invalid_model(store: Store) -> None:
    import pickle

    with pytest.raises(EngineError) as err:
        store.evaluate(group={"op": "all"}, model=pickle.dumps({"a": 1}))
    assert err.value.reason is Reason.INVALID_MODEL


def test_an_unknown_column_in_the_group_is_refused_as_invalid_group(
    store: Store, train: pd.DataFrame
) -> None:
    with pytest.raises(EngineError) as err:
        store.evaluate(group={"col": "salary", "op": ">", "value": 1}, model=fit_on(train, MARRIED))
    assert err.value.reason is Reason.INVALID_GROUP


def test_a_commit_the_platform_never_recorded_is_replaced_by_the_next_one(
    store: Store, train: pd.DataFrame
) -> None:
    first = store.evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=fit_on(train, MARRIED))
    store.commit(first, label="lost", head=0)  # saved to disk, but the database stayed at head 0
    older = 'age >= 50 and marital_status != "Married"'
    second = store.evaluate(group=groups.parse_text(older, SCHEMA), model=fit_on(train, older))
    decision, versions = store.commit(second, label="kept", head=0)
    assert decision.accepted and versions[0].number == 1 and versions[0].label == "kept"
    fresh = Store(store.directory)
    assert [n.label for n in fresh.decision_list(1).nodes] == ["kept"]


def test_evaluations_round_trip_through_disk(store: Store, train: pd.DataFrame) -> None:
    evaluation = store.evaluate(group=groups.parse_text(MARRIED, SCHEMA), model=fit_on(train, MARRIED))
    store.save_evaluation("17", evaluation)
    again = store.load_evaluation("17")
    assert again.spec == evaluation.spec and again.model == evaluation.model
    for split in evaluation.masks:
        assert np.array_equal(again.masks[split], evaluation.masks[split])
        assert np.array_equal(again.preds[split], evaluation.preds[split])
    store.drop_evaluation("17")
    assert not store.evaluation_dir("17").exists()
    with pytest.raises(ValueError):
        store.evaluation_dir("../x")


def test_preview_mass_is_the_share_of_public_train_rows(store: Store, train: pd.DataFrame) -> None:
    expected = (train["marital_status"] == "Married").mean()
    assert store.preview_mass(groups.parse_text(MARRIED, SCHEMA)) == pytest.approx(expected)


def test_open_store_caches_one_store_per_directory(built: Path) -> None:
    assert open_store(built) is open_store(built)


def test_splits_that_break_the_schema_are_refused_with_the_column(
    tmp_path: Path, train: pd.DataFrame
) -> None:
    bad = census_frame(500, 3)
    bad["race"] = bad["race"].astype(object)
    bad.loc[3, "race"] = "Martian"
    with pytest.raises(EngineError) as err:
        create_store(
            directory=tmp_path / "c",
            schema=SCHEMA,
            loss="zero_one",
            rules=Rules(alpha=0.01, mu_min=0.01),
            splits={"train": train, "holdout": bad, "confirmation": census_frame(500, 4)},
            base_model=base_model(train),
        )
    assert err.value.reason is Reason.SCHEMA_MISMATCH and err.value.field == "race"
    assert "holdout" in err.value.message
