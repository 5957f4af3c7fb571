"""Invariants of the pointer decision list, checked by hypothesis over random submission streams."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from scoring.pdl import DecisionList, load, save
from scoring.pdl.predict import predict
from tests.engine.pdl_world import SCHEMA, WorldRunner, make_world, new_list, random_pair, submit

PROPERTY = settings(max_examples=200, deadline=None)
streams = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31),
        "rows": st.integers(150, 1200),
        "loss": st.sampled_from(["zero_one", "brier", "log_loss"]),
        "alpha": st.sampled_from([0.001, 0.002, 0.005]),
        "submissions": st.integers(1, 30),
    }
)


def run_stream(params: dict, *, each_step=None) -> tuple[DecisionList, dict]:  # type: ignore[no-untyped-def,type-arg]
    world = make_world(params["seed"], params["rows"])
    dl = new_list(world, params["loss"], params["alpha"])
    rng = np.random.default_rng(params["seed"])
    for i in range(params["submissions"]):
        submit(dl, world, random_pair(rng), f"s{i}")
        if each_step is not None:
            each_step(dl, world)
    return dl, world


@PROPERTY
@given(streams)
def test_every_update_and_repair_lowers_holdout_loss_by_at_least_alpha(params: dict) -> None:  # type: ignore[type-arg]
    dl, _ = run_stream(params)
    event(f"repairs: {min(sum(n.kind == 'repair' for n in dl.nodes), 3)}+")
    previous = dl.base_losses()["holdout"]
    for node in dl.nodes:
        assert node.gain >= dl.rules.alpha - 1e-12
        assert np.isclose(previous - node.losses["holdout"], node.gain, atol=1e-12)
        previous = node.losses["holdout"]


@PROPERTY
@given(streams)
def test_node_count_is_at_most_base_loss_over_alpha(params: dict) -> None:  # type: ignore[type-arg]
    dl, _ = run_stream(params)
    assert dl.head <= dl.base_losses()["holdout"] / dl.rules.alpha


@PROPERTY
@given(streams)
def test_predict_equals_cached_predictions_after_every_step(params: dict) -> None:  # type: ignore[type-arg]
    def same(dl: DecisionList, world: dict) -> None:  # type: ignore[type-arg]
        for split, (x, _) in world.items():
            assert np.array_equal(predict(dl, len(x), WorldRunner(x)), dl.predictions(split))

    run_stream(params, each_step=same)


@PROPERTY
@given(streams)
def test_each_accepted_group_ends_within_alpha_over_mass_of_its_best(params: dict) -> None:  # type: ignore[type-arg]
    dl, _ = run_stream(params)
    holdout = dl.splits["holdout"]
    for entry in dl.ledger.entries:
        rows = entry.rows["holdout"]
        mass = rows.size / holdout.n_rows
        current = holdout.row_loss[rows].mean()
        assert current - entry.best <= dl.rules.alpha / mass + 1e-9


@PROPERTY
@given(streams)
def test_replaying_the_same_submissions_in_order_gives_the_same_model(params: dict) -> None:  # type: ignore[type-arg]
    first, _ = run_stream(params)
    second, _ = run_stream(params)
    assert first.nodes == second.nodes
    for split in first.splits:
        assert np.array_equal(first.predictions(split), second.predictions(split))


@PROPERTY
@given(streams)
def test_gain_of_an_accepted_pair_equals_the_drop_in_holdout_loss(params: dict) -> None:  # type: ignore[type-arg]
    world = make_world(params["seed"], params["rows"])
    dl = new_list(world, params["loss"], params["alpha"])
    rng = np.random.default_rng(params["seed"])
    for i in range(params["submissions"]):
        before = dl.current_losses()["holdout"]
        decision, nodes = submit(dl, world, random_pair(rng), f"s{i}")
        if decision.accepted:
            assert np.isclose(decision.figures.gain, before - nodes[0].losses["holdout"], atol=1e-12)
        else:
            assert nodes == [] and dl.current_losses()["holdout"] == before


@settings(max_examples=200, deadline=None)
@given(streams)
def test_saved_list_loads_back_bit_identically(params: dict) -> None:  # type: ignore[type-arg]
    dl, _ = run_stream(params)
    with TemporaryDirectory() as tmp:
        save(dl, Path(tmp), schema=SCHEMA, loss_params={})
        again = load(Path(tmp))
    assert again.nodes == dl.nodes
    for split, cache in dl.splits.items():
        for name in ("preds", "row_loss", "labels"):
            a, b = getattr(cache, name), getattr(again.splits[split], name)
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    assert again.ledger.sums.tobytes() == dl.ledger.sums.tobytes()
    assert [e.best_version for e in again.ledger.entries] == [e.best_version for e in dl.ledger.entries]
