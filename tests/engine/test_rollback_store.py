"""Organizer actions on a real store (sandboxed models): rollback, replay without a team, confirmation
gains and the exported bundle, whose predictions on the holdout equal the store's cache exactly."""

from __future__ import annotations

import shutil
import zipfile
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
from scoring.bundle import load_bundle, write_bundle
from scoring.engine import Rules, Store, create_store
from scoring.engine import organize as org

TEXTS = ('marital_status == "Married"', "age >= 50", 'education in ["Bachelors", "Masters"]')


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return census_frame(12000, 0)


@pytest.fixture(scope="module")
def holdout() -> pd.DataFrame:
    return census_frame(5000, 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, train: pd.DataFrame, holdout: pd.DataFrame) -> Path:
    directory = tmp_path_factory.mktemp("store") / "c"
    create_store(
        directory=directory,
        schema=SCHEMA,
        loss="zero_one",
        rules=Rules(alpha=0.001, mu_min=0.01),
        splits={"train": train, "holdout": holdout, "confirmation": census_frame(3000, 2)},
        base_model=base_model(train),
    )
    return directory


@pytest.fixture()
def store(built: Path, tmp_path: Path) -> Store:
    shutil.copytree(built, tmp_path / "c")
    return Store(tmp_path / "c")


def fit_on(train: pd.DataFrame, text: str) -> bytes:
    coerced = SCHEMA.coerce(train)
    mask = groups.evaluate(groups.parse_text(text, SCHEMA), coerced, SCHEMA)
    return sio.dumps(HistGradientBoostingClassifier(random_state=0).fit(coerced[mask], train["income"][mask]))


ACCEPTED: list[str] = []


def commit_all(store: Store, train: pd.DataFrame, head: int = 0) -> int:
    ACCEPTED.clear()
    for i, text in enumerate(TEXTS):
        evaluation = store.evaluate(group=groups.parse_text(text, SCHEMA), model=fit_on(train, text))
        decision, versions = store.commit(evaluation, label=str(i + 1), head=head)
        head = versions[-1].number if versions else head
        ACCEPTED.extend([str(i + 1)] if decision.accepted else [])
    return head


def test_a_rollback_predicts_as_the_target_and_the_sandbox_walk_agrees(
    store: Store, train: pd.DataFrame
) -> None:
    head = commit_all(store, train)
    assert head >= 2
    version = org.rollback(store, head=head, target=1, label="rollback")
    assert (version.kind, version.target_version, version.number) == ("rollback", 1, head + 1)
    fresh = Store(store.directory)  # from disk, as another process would
    cached = fresh.decision_list(head + 1).predictions("holdout")
    assert np.array_equal(cached, fresh.decision_list(1).predictions("holdout"))
    assert np.array_equal(fresh.predict(fresh.frame_dir("holdout"), head=head + 1), cached)
    assert list(org.counting_labels(fresh, head=head + 1)) == ["1"]


def test_replaying_without_a_label_drops_its_update_and_recommits_the_rest(
    store: Store, train: pd.DataFrame
) -> None:
    head = commit_all(store, train)
    versions, replayed = org.replay_without(store, head=head, drop={"2"}, label="dq")
    assert versions[0].kind == "rollback" and versions[0].target_version == 0
    assert "2" in ACCEPTED and len(ACCEPTED) >= 2
    assert [r.label for r in replayed] == [label for label in ACCEPTED if label != "2"]
    counting = org.counting_labels(store, head=versions[-1].number)
    assert set(counting) == {r.label for r in replayed if r.decision.accepted}
    gains = org.confirmation_gains(store, head=versions[-1].number)
    assert set(gains) == set(counting)


def test_a_check_without_commit_changes_nothing(store: Store, train: pd.DataFrame) -> None:
    evaluation = store.evaluate(group=groups.parse_text(TEXTS[0], SCHEMA), model=fit_on(train, TEXTS[0]))
    decision = org.check(store, evaluation, head=0)
    assert decision.accepted and store.decision_list(0).head == 0
    assert store.commit(evaluation, label="1", head=0)[0] == decision


@pytest.mark.parametrize("kind", ["zip", "directory"])
def test_bundle_predictions_on_the_holdout_equal_the_cached_predictions_exactly(
    store: Store, train: pd.DataFrame, holdout: pd.DataFrame, tmp_path: Path, kind: str
) -> None:
    head = commit_all(store, train)
    head = org.rollback(store, head=head, target=1, label="rollback").number
    coerced = SCHEMA.coerce(train)
    member = (coerced["age"] >= 30).to_numpy()
    group_model = Pipeline(
        [
            ("enc", ColumnTransformer([("cat", OrdinalEncoder(), list(CATEGORIES))], remainder="drop")),
            ("tree", DecisionTreeClassifier(max_depth=3, random_state=0)),
        ]
    ).fit(coerced, member)
    evaluation = store.evaluate(group=sio.dumps(group_model), model=fit_on(train, "age >= 30"))
    _, versions = store.commit(evaluation, label="4", head=head)
    head = versions[-1].number if versions else head
    target = tmp_path / ("model.zip" if kind == "zip" else "model")
    org.export_bundle(store, target, head=head, meta={"competition": "census"})
    if kind == "zip":
        assert zipfile.is_zipfile(target)
    bundle = load_bundle(target)
    assert bundle.version == head and bundle.meta == {"competition": "census"}
    expected = store.decision_list(head).predictions("holdout")
    assert np.array_equal(bundle.predict(holdout), expected)
    shuffled = holdout.sample(frac=1.0, random_state=0)
    assert np.array_equal(bundle.predict(shuffled), expected[shuffled.index.to_numpy()])


def test_a_bundle_with_a_tampered_model_file_is_refused(
    store: Store, train: pd.DataFrame, tmp_path: Path
) -> None:
    head = commit_all(store, train)
    target = write_bundle(
        store.decision_list(head), tmp_path / "b", schema=SCHEMA, base_model=store.base_model()
    )
    victim = next((target / "models").glob("*.skops"))
    victim.write_bytes(victim.read_bytes() + b"\0")
    with pytest.raises(ValueError, match="sha256"):
        load_bundle(target)


def test_a_bundle_zip_with_an_unexpected_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bundle.json", "{}")
        archive.writestr("../../etc/cron.d/x", "boom")
    with pytest.raises(ValueError, match="unexpected"):
        load_bundle(path)
