"""Sharded evaluation: shards of the hidden splits, evaluated apart and combined, decide exactly as the
whole does (same arrays, same decisions, same figures, same list)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.ensemble import HistGradientBoostingClassifier

from benchmarks.census import SCHEMA, census_frame
from benchmarks.engine import base_model, group_model
from scoring import groups
from scoring.engine import Rules, ShardResult, Store, create_store, evaluate_sharded
from scoring.engine.shards import (
    combine,
    evaluate_shard,
    shard_count,
    shard_failure,
    shard_ranges,
    split_rows,
)
from scoring.errors import EngineError, Reason

PAIRS = (
    ('marital_status == "Married"', "boosting"),
    ('age >= 50 and marital_status != "Married"', "tree"),
    ('sex == "Female" and region == "West"', "boosting"),
    ("hours_per_week > 45", "tree"),
    ('education in ["Bachelors", "Masters"]', "tree"),
)


@pytest.fixture(scope="module")
def train() -> pd.DataFrame:
    return census_frame(20000, 0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, train: pd.DataFrame) -> Path:
    directory = tmp_path_factory.mktemp("shards") / "c"
    create_store(
        directory=directory,
        schema=SCHEMA,
        loss="zero_one",
        rules=Rules(alpha=0.001, mu_min=0.01, z=1.0),
        splits={"train": train, "holdout": census_frame(7001, 1), "confirmation": census_frame(3001, 2)},
        base_model=base_model(train),
    )
    return directory


def copy_of(built: Path, where: Path) -> Store:
    shutil.copytree(built, where)
    return Store(where)


def fit_on(train: pd.DataFrame, text: str, kind: str) -> bytes:
    model: Any
    coerced = SCHEMA.coerce(train)
    mask = groups.evaluate(groups.parse_text(text, SCHEMA), coerced, SCHEMA)
    if kind == "boosting":
        model = HistGradientBoostingClassifier(max_iter=30, random_state=0)
    else:
        model = group_model(seed=0)  # ordinal-encoded features and a depth-5 tree
    model.fit(coerced[mask], train["income"][mask])
    return sio.dumps(model)


def test_shard_ranges_cover_every_split_once_in_order() -> None:
    rows = {"holdout": 1_000_003, "confirmation": 250_000}
    count = shard_count(rows, 300_000)
    assert count == 4
    for split, n in rows.items():
        spans = [shard_ranges(rows, count, i)[split] for i in range(count)]
        assert spans[0][0] == 0 and spans[-1][1] == n
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
        assert max(stop - start for start, stop in spans) <= 300_000
    assert shard_count(rows, 2_000_000) == 1
    with pytest.raises(ValueError):
        shard_ranges(rows, count, count)


@pytest.mark.parametrize("shard_rows", [1000, 2334, 7001])
def test_sharded_evaluation_equals_the_whole_array_for_array(
    built: Path, train: pd.DataFrame, tmp_path: Path, shard_rows: int
) -> None:
    store = copy_of(built, tmp_path / "c")
    text, kind = PAIRS[0]
    tree = groups.parse_text(text, SCHEMA)
    model = fit_on(train, text, kind)
    whole = store.evaluate(group=tree, model=model)
    sharded = evaluate_sharded(store, group=tree, model=model, shard_rows=shard_rows)
    assert sharded.spec == whole.spec and sharded.model == whole.model
    for split in ("holdout", "confirmation"):
        assert sharded.masks[split].dtype == whole.masks[split].dtype
        assert np.array_equal(sharded.masks[split], whole.masks[split])
        assert sharded.preds[split].dtype == whole.preds[split].dtype
        assert np.array_equal(sharded.preds[split], whole.preds[split])


def test_sharded_and_whole_commits_give_the_same_decisions_figures_and_list(
    built: Path, train: pd.DataFrame, tmp_path: Path
) -> None:
    plain, sharded = copy_of(built, tmp_path / "plain"), copy_of(built, tmp_path / "sharded")
    heads = {"plain": 0, "sharded": 0}
    outcomes: dict[str, list[tuple[object, ...]]] = {"plain": [], "sharded": []}
    for index, (text, kind) in enumerate(PAIRS):
        tree, model = groups.parse_text(text, SCHEMA), fit_on(train, text, kind)
        evaluations = {
            "plain": plain.evaluate(group=tree, model=model),
            "sharded": evaluate_sharded(sharded, group=tree, model=model, shard_rows=1500),
        }
        for name, store in (("plain", plain), ("sharded", sharded)):
            decision, versions = store.commit(evaluations[name], label=str(index), head=heads[name])
            heads[name] = versions[-1].number if versions else heads[name]
            outcomes[name].append((decision.accepted, decision.reason, decision.figures, versions))
    assert outcomes["plain"] == outcomes["sharded"]  # figures and versions compared exactly
    assert any(accepted for accepted, *_ in outcomes["plain"])
    assert any(not accepted for accepted, *_ in outcomes["plain"])
    for split in ("holdout", "confirmation"):
        assert np.array_equal(
            plain.decision_list(heads["plain"]).predictions(split),
            sharded.decision_list(heads["sharded"]).predictions(split),
        )


def test_a_shard_refuses_a_bad_model_for_the_same_reason_as_the_whole(built: Path, tmp_path: Path) -> None:
    import pickle

    store = copy_of(built, tmp_path / "c")
    bad = pickle.dumps({"a": 1})
    rows = split_rows(store)
    with pytest.raises(EngineError) as whole:
        store.evaluate(group={"op": "all"}, model=bad)
    with pytest.raises(EngineError) as shard:
        evaluate_shard(store, group={"op": "all"}, model=bad, ranges=shard_ranges(rows, 3, 1))
    assert shard.value.reason is whole.value.reason is Reason.INVALID_MODEL
    assert shard.value.message == whole.value.message


def test_a_group_model_is_not_evaluated_on_row_ranges(built: Path, tmp_path: Path) -> None:
    store = copy_of(built, tmp_path / "c")
    with pytest.raises(ValueError):
        store.evaluate(group=b"group model", model=b"model", rows=shard_ranges(split_rows(store), 2, 0))


def test_shard_results_round_trip_as_bytes_and_combine_in_order(
    built: Path, train: pd.DataFrame, tmp_path: Path
) -> None:
    store = copy_of(built, tmp_path / "c")
    text, kind = PAIRS[1]
    tree, model = groups.parse_text(text, SCHEMA), fit_on(train, text, kind)
    assert store.shard_count(3000) == 3  # 7,001 holdout rows
    parts = [store.evaluate_shard(group=tree, model=model, index=i, count=3) for i in range(3)]
    assert all(ShardResult.from_bytes(p).status == ShardResult.status_of(p) == "ok" for p in parts)
    combined = store.combine_shards(group=tree, model=model, parts=parts)
    whole = store.evaluate(group=tree, model=model)
    for split in ("holdout", "confirmation"):
        assert np.array_equal(combined.masks[split], whole.masks[split])
        assert np.array_equal(combined.preds[split], whole.preds[split])
    refused = ShardResult(status="refused", reason=Reason.TIMEOUT.value, message="too slow").to_bytes()
    again = ShardResult.from_bytes(refused)
    assert again.status == "refused" and again.error().reason is Reason.TIMEOUT
    with pytest.raises(EngineError) as refusal:
        store.combine_shards(group=tree, model=model, parts=[parts[0], refused, parts[2]])
    assert refusal.value.reason is Reason.TIMEOUT
    with pytest.raises(RuntimeError):
        store.combine_shards(group=tree, model=model, parts=[parts[0], shard_failure(), parts[2]])
    with pytest.raises(ValueError):
        combine(store, group=tree, model=model, parts=[ShardResult.from_bytes(parts[0]), again])


def test_a_shard_the_engine_refuses_comes_back_as_its_refusal(built: Path, tmp_path: Path) -> None:
    store = copy_of(built, tmp_path / "c")
    outcome = ShardResult.from_bytes(
        store.evaluate_shard(group={"op": "all"}, model=b"not a model", index=1, count=3)
    )
    assert outcome.status == "refused" and outcome.error().reason is Reason.INVALID_MODEL
