"""Rolling the decision list back to an earlier version, checked by hypothesis over random streams.

A stream interleaves submissions with rollbacks to random earlier versions, so rollbacks land after
repairs, after other rollbacks and before later updates.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from scoring.pdl import DecisionList, load, save
from scoring.pdl.predict import predict
from scoring.pdl.rollback import counting_updates, replica
from tests.engine.pdl_world import SCHEMA, WorldRunner, make_world, new_list, random_pair, submit

PROPERTY = settings(max_examples=200, deadline=None)
World = dict[str, tuple[np.ndarray, np.ndarray]]
streams = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31),
        "rows": st.integers(150, 1000),
        "loss": st.sampled_from(["zero_one", "brier", "log_loss"]),
        "alpha": st.sampled_from([0.001, 0.002, 0.005]),
        "steps": st.lists(st.floats(0, 1), min_size=2, max_size=25),
    }
)


def run_stream(params: dict[str, Any], *, each_rollback: Any = None) -> tuple[DecisionList, World]:
    """Each step below 0.2 rolls back to a random earlier version (when there is one); others submit."""
    world = make_world(params["seed"], params["rows"])
    dl = new_list(world, params["loss"], params["alpha"])
    rng = np.random.default_rng(params["seed"])
    for i, step in enumerate(params["steps"]):
        if step < 0.2 and dl.head > 0:
            target = int(step / 0.2 * dl.head)
            then = replica(dl, target)
            expected = {s: then.predictions(s).copy() for s in dl.splits}
            dl.rollback(target, f"rollback-{i}")
            if each_rollback is not None:
                each_rollback(dl, world, target, expected)
        else:
            submit(dl, world, random_pair(rng), f"s{i}")
    event(f"rollbacks: {min(sum(n.kind == 'rollback' for n in dl.nodes), 3)}+")
    return dl, world


@PROPERTY
@given(streams)
def test_after_a_rollback_predictions_equal_the_target_versions_exactly(params: dict[str, Any]) -> None:
    def same(dl: DecisionList, world: World, target: int, expected: dict[str, np.ndarray]) -> None:
        for split in ("holdout", "confirmation"):
            assert dl.predictions(split).tobytes() == expected[split].tobytes()
        x = world["holdout"][0]
        walked = predict(dl, len(x), WorldRunner(x))
        assert np.array_equal(walked, dl.predictions("holdout"))
        assert np.array_equal(walked, predict(dl, len(x), WorldRunner(x), version=target))

    run_stream(params, each_rollback=same)


@PROPERTY
@given(streams)
def test_predict_equals_the_cache_for_every_version_of_a_stream_with_rollbacks(
    params: dict[str, Any],
) -> None:
    dl, world = run_stream(params)
    x = world["confirmation"][0]
    for version in range(dl.head + 1):
        walked = predict(dl, len(x), WorldRunner(x), version=version)
        assert np.array_equal(walked, replica(dl, version).predictions("confirmation"))


@PROPERTY
@given(streams)
def test_after_a_rollback_the_ledger_is_the_target_versions_and_later_groups_stop_counting(
    params: dict[str, Any],
) -> None:
    def ledger_restored(dl: DecisionList, world: World, target: int, expected: Any) -> None:
        then = replica(dl, target).ledger
        for i, entry in enumerate(dl.ledger.entries):
            if i >= len(then.entries):
                assert not entry.active
                continue
            old = then.entries[i]
            assert (entry.active, entry.best, entry.best_version) == (old.active, old.best, old.best_version)
            assert entry.best_version <= target
        assert dl.ledger.sums[: len(then.entries)].tobytes() == then.sums.tobytes()
        counting = {n.label for n in counting_updates(dl)}
        assert counting == {n.label for n in counting_updates(replica(dl, target))}

    run_stream(params, each_rollback=ledger_restored)


@PROPERTY
@given(streams)
def test_updates_and_repairs_after_rollbacks_keep_the_invariants_for_groups_that_count(
    params: dict[str, Any],
) -> None:
    dl, _ = run_stream(params)
    previous = dl.base_losses()["holdout"]
    for node in dl.nodes:
        assert np.isclose(previous - node.losses["holdout"], node.gain, atol=1e-12)
        assert node.kind == "rollback" or node.gain >= dl.rules.alpha - 1e-12
        previous = node.losses["holdout"]
    holdout = dl.splits["holdout"]
    last_rollback = max((n.number for n in dl.nodes if n.kind == "rollback"), default=0)
    if dl.head == last_rollback:
        return  # a rollback may land between an update and its repairs; the next update repairs
    for entry in dl.ledger.entries:
        if not entry.active:
            continue
        rows = entry.rows["holdout"]
        mass = rows.size / holdout.n_rows
        assert holdout.row_loss[rows].mean() - entry.best <= dl.rules.alpha / mass + 1e-9


@settings(max_examples=200, deadline=None)
@given(streams)
def test_a_list_with_rollbacks_saves_and_loads_back_bit_identically(params: dict[str, Any]) -> None:
    dl, _ = run_stream(params)
    with TemporaryDirectory() as tmp:
        save(dl, Path(tmp), schema=SCHEMA, loss_params={})
        again = load(Path(tmp))
        middle = load(Path(tmp), upto=dl.head // 2)
    assert again.nodes == dl.nodes and middle.nodes == dl.nodes[: dl.head // 2]
    for split, cache in dl.splits.items():
        for name in ("preds", "row_loss"):
            assert getattr(cache, name).tobytes() == getattr(again.splits[split], name).tobytes()
    assert again.ledger.sums.tobytes() == dl.ledger.sums.tobytes()
    assert [e.active for e in again.ledger.entries] == [e.active for e in dl.ledger.entries]


def test_rolling_back_to_the_head_or_a_future_version_is_refused() -> None:
    world = make_world(1, 400)
    dl = new_list(world, "zero_one", 0.001)
    with pytest.raises(ValueError, match="earlier version"):
        dl.rollback(0, "nothing to undo")
    rng = np.random.default_rng(1)
    while dl.head == 0:
        submit(dl, world, random_pair(rng), "s")
    with pytest.raises(ValueError, match="earlier version"):
        dl.rollback(dl.head, "same")


def test_a_rollback_to_the_base_retires_every_group_and_restores_base_predictions() -> None:
    world = make_world(2, 800)
    dl = new_list(world, "zero_one", 0.001)
    rng = np.random.default_rng(2)
    for i in range(15):
        submit(dl, world, random_pair(rng), f"s{i}")
    assert dl.head > 0
    node = dl.rollback(0, "start over")
    assert node.kind == "rollback" and node.target == 0 and node.group == -1
    assert node.losses == dl.base_losses()
    assert counting_updates(dl) == [] and not any(e.active for e in dl.ledger.entries)
    for split in dl.splits:
        assert np.array_equal(dl.predictions(split), dl.base_preds[split])
