"""Replaying a list without some pairs (disqualification) and per-update gains on a split (confirmation)."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from scoring.pdl import DecisionList, load, save
from scoring.pdl.predict import predict
from scoring.pdl.rollback import counting_updates, replay_without, split_gains
from tests.engine.pdl_world import (
    SCHEMA,
    Pair,
    WorldRunner,
    make_world,
    new_list,
    random_pair,
    submit,
)

PROPERTY = settings(max_examples=200, deadline=None)
World = dict[str, tuple[np.ndarray, np.ndarray]]
streams = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31),
        "rows": st.integers(150, 1000),
        "loss": st.sampled_from(["zero_one", "brier", "log_loss"]),
        "alpha": st.sampled_from([0.001, 0.002, 0.005]),
        "submissions": st.integers(1, 25),
        "teams": st.integers(1, 4),
        "rollback": st.one_of(st.none(), st.floats(0, 0.999)),
    }
)


def run_stream(params: dict[str, Any]) -> tuple[DecisionList, World, dict[str, Pair]]:
    """Submissions from ``teams`` teams (label ``t<team>-<i>``), with at most one rollback halfway."""
    world = make_world(params["seed"], params["rows"])
    dl = new_list(world, params["loss"], params["alpha"])
    rng = np.random.default_rng(params["seed"])
    pairs: dict[str, Pair] = {}
    for i in range(params["submissions"]):
        label = f"t{i % params['teams']}-{i}"
        pairs[label] = random_pair(rng)
        submit(dl, world, pairs[label], label)
        if i == params["submissions"] // 2 and params["rollback"] is not None and dl.head:
            dl.rollback(int(params["rollback"] * dl.head), "oops")
    return dl, world, pairs


@PROPERTY
@given(streams)
def test_replaying_without_a_team_equals_building_the_list_from_the_other_pairs(
    params: dict[str, Any],
) -> None:
    dl, world, pairs = run_stream(params)
    kept = [n.label for n in counting_updates(dl) if not n.label.startswith("t0-")]
    root, outcomes = replay_without(
        dl, drop={n.label for n in dl.nodes if n.label.startswith("t0-")}, label="dq"
    )
    if root is None:
        assert dl.head == 0 and outcomes == []
        return
    assert (root.kind, root.target) == ("rollback", 0)
    assert [o.original.label for o in outcomes] == kept
    fresh = new_list(world, params["loss"], params["alpha"])
    for outcome in outcomes:
        decision, nodes = submit(fresh, world, pairs[outcome.original.label], outcome.original.label)
        assert decision.accepted == outcome.decision.accepted
        assert [n.kind for n in nodes] == [n.kind for n in outcome.nodes]
    event(f"now rejected: {min(sum(not o.decision.accepted for o in outcomes), 2)}+")
    for split in dl.splits:
        assert np.array_equal(dl.predictions(split), fresh.predictions(split))
    assert [n.label for n in counting_updates(dl)] == [n.label for n in counting_updates(fresh)]
    x = world["holdout"][0]
    assert np.array_equal(predict(dl, len(x), WorldRunner(x)), dl.predictions("holdout"))


@PROPERTY
@given(streams)
def test_a_replayed_list_keeps_every_earlier_version_and_loads_back(params: dict[str, Any]) -> None:
    dl, world, _ = run_stream(params)
    old_head = dl.head
    x = world["confirmation"][0]
    before = predict(dl, len(x), WorldRunner(x))
    replay_without(dl, drop={"t1-1"}, label="dq")
    assert np.array_equal(predict(dl, len(x), WorldRunner(x), version=old_head), before)
    with TemporaryDirectory() as tmp:
        save(dl, Path(tmp), schema=SCHEMA, loss_params={})
        again = load(Path(tmp))
        at_old = load(Path(tmp), upto=old_head)
    assert again.nodes == dl.nodes
    assert again.predictions("holdout").tobytes() == dl.predictions("holdout").tobytes()
    assert np.array_equal(at_old.predictions("confirmation"), before)


@PROPERTY
@given(streams)
def test_split_gains_are_each_updates_drop_of_the_mean_loss_on_that_split(params: dict[str, Any]) -> None:
    dl, _, _ = run_stream(params)
    holdout = split_gains(dl, "holdout")
    confirmation = split_gains(dl, "confirmation")
    updates = [n for n in dl.nodes if n.kind == "update"]
    assert set(holdout) == set(confirmation) == {n.number for n in updates}
    base = dl.base_losses()
    for node in updates:
        assert np.isclose(holdout[node.number], node.gain, atol=1e-12)
        before = dl.nodes[node.number - 2].losses if node.number > 1 else base
        drop = before["confirmation"] - node.losses["confirmation"]
        assert np.isclose(confirmation[node.number], drop, atol=1e-12)


def test_an_update_that_changes_no_confirmation_loss_has_exactly_zero_confirmed_gain() -> None:
    world = make_world(3, 1000)
    dl = new_list(world, "zero_one", 0.001)
    pair = Pair(0, 0.0, 0.5, 1, 0.75, False)
    decision, _ = submit(dl, world, pair, "s1")
    assert decision.accepted and split_gains(dl, "confirmation")[1] != 0.0
    # overwrite the confirmation patch with the base predictions: no loss changes there
    patch = dl.patches[0]["confirmation"]
    dl.patches[0]["confirmation"] = type(patch)(patch.rows, dl.base_preds["confirmation"][patch.rows])
    assert split_gains(dl, "confirmation") == {1: 0.0}
