"""Behaviour of the decision list on hand-made cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoring.pdl import load, save
from scoring.pdl.persist import extend
from scoring.pdl.predict import predict
from tests.engine.pdl_world import (
    SCHEMA,
    Pair,
    WorldRunner,
    make_world,
    new_list,
    random_pair,
    submit,
)


def test_accepting_a_pair_overwrites_only_the_groups_rows() -> None:
    world = make_world(3, 1000)
    dl = new_list(world, "zero_one", 0.001)
    before = dl.predictions("holdout").copy()
    pair = Pair(0, 0.0, 0.5, 1, 0.75, False)
    decision, nodes = submit(dl, world, pair, "s1")
    assert decision.accepted and [n.kind for n in nodes] == ["update"]
    x = world["holdout"][0]
    outside = ~((x[:, 0] >= 0) & (x[:, 0] <= 0.5))
    assert np.array_equal(dl.predictions("holdout")[outside], before[outside])


def test_a_broad_update_that_hurts_an_earlier_group_triggers_a_repair() -> None:
    world = make_world(5, 4000)
    dl = new_list(world, "zero_one", 0.001)
    narrow = Pair(0, 0.0, 0.2, 1, 0.9, False)  # near-perfect for x0 in [0, 0.2]
    broad = Pair(0, 0.0, 0.6, 1, 0.6, False)  # better overall, worse on the narrow band
    assert submit(dl, world, narrow, "a")[0].accepted
    decision, nodes = submit(dl, world, broad, "b")
    assert decision.accepted
    assert [n.kind for n in nodes] == ["update", "repair"]
    assert nodes[1].target == 1 and nodes[1].label == "b"
    x = world["holdout"][0]
    assert np.array_equal(predict(dl, len(x), WorldRunner(x)), dl.predictions("holdout"))


def test_rejected_pair_leaves_the_list_unchanged() -> None:
    world = make_world(1, 800)
    dl = new_list(world, "zero_one", 0.01)
    bad = Pair(2, 0.0, 1.0, 2, 0.5, True)
    decision, nodes = submit(dl, world, bad, "x")
    assert not decision.accepted and nodes == [] and dl.head == 0


def test_loading_upto_an_earlier_version_drops_later_nodes(tmp_path: Path) -> None:
    world = make_world(7, 1500)
    dl = new_list(world, "brier", 0.001)
    rng = np.random.default_rng(7)
    for i in range(25):
        submit(dl, world, random_pair(rng), f"s{i}")
    assert dl.head >= 3
    save(dl, tmp_path, schema=SCHEMA, loss_params={})
    early = load(tmp_path, upto=2)
    assert early.head == 2 and early.nodes == dl.nodes[:2]
    extend(early, tmp_path)
    assert early.nodes == dl.nodes
    assert np.array_equal(early.predictions("holdout"), dl.predictions("holdout"))


def test_extending_from_a_list_that_diverged_is_refused(tmp_path: Path) -> None:
    world = make_world(8, 1000)
    dl = new_list(world, "zero_one", 0.001)
    submit(dl, world, Pair(0, 0.0, 0.5, 1, 0.75, False), "a")
    save(dl, tmp_path, schema=SCHEMA, loss_params={})
    other = new_list(world, "zero_one", 0.001)
    submit(other, world, Pair(0, 0.5, 1.0, 1, 0.25, False), "b")
    with pytest.raises(ValueError, match="does not extend"):
        extend(other, tmp_path)


def test_a_tampered_node_file_is_detected_on_load(tmp_path: Path) -> None:
    world = make_world(9, 1000)
    dl = new_list(world, "zero_one", 0.001)
    submit(dl, world, Pair(0, 0.0, 0.5, 1, 0.75, False), "a")
    save(dl, tmp_path, schema=SCHEMA, loss_params={})
    path = tmp_path / "nodes" / "00001" / "holdout.preds.npy"
    preds = np.load(path)
    np.save(path, 1 - preds)
    with pytest.raises(ValueError, match="does not replay"):
        load(tmp_path)


def test_state_memory_grows_with_group_sizes_not_versions() -> None:
    world = make_world(2, 5000)
    dl = new_list(world, "zero_one", 0.0005)
    base = dl.state_nbytes()
    rng = np.random.default_rng(2)
    for i in range(40):
        submit(dl, world, random_pair(rng), f"s{i}")
    group_rows = sum(e.rows["holdout"].size + e.rows["confirmation"].size for e in dl.ledger.entries)
    # rows (8 bytes) + snapshot (8) + patches (16) + membership (12) per member row, and slack
    assert dl.state_nbytes() - base <= 64 * group_rows + 64 * 1024


def test_saving_after_a_truncated_load_overwrites_stale_node_files(tmp_path: Path) -> None:
    world = make_world(11, 1500)
    dl = new_list(world, "zero_one", 0.001)
    submit(dl, world, Pair(0, 0.0, 0.5, 1, 0.75, False), "a")
    submit(dl, world, Pair(0, 0.5, 1.0, 1, 0.25, False), "b")
    save(dl, tmp_path, schema=SCHEMA, loss_params={})
    # a crash left version 2 on disk that the platform never recorded: reload up to version 1
    again = load(tmp_path, upto=1)
    assert submit(again, world, Pair(0, 0.5, 1.0, 1, 0.3, False), "c")[0].accepted
    save(again, tmp_path, schema=SCHEMA, loss_params={})
    reloaded = load(tmp_path)
    assert [n.label for n in reloaded.nodes] == [n.label for n in again.nodes]
    assert np.array_equal(reloaded.predictions("holdout"), again.predictions("holdout"))
