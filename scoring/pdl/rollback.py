"""Organizer actions on the list: roll back to an earlier version, replay without some pairs, confirm.

Nothing is ever deleted: every action appends nodes, so every version ever recorded stays reachable.

**Rollback to v.** A ``rollback`` node (group: all rows, target: v) creates a version predicting exactly
as v did: its patch writes v's cached predictions over every row of every split, and the predict walk
sends every row reaching it to version v. v's cached predictions are rebuilt by replaying the stored
patches of versions 1..v (no model runs).

**The ledger after a rollback** is exactly the ledger of version v: groups accepted after v are retired
(they no longer count: no repair protects them and no confirmation credits them), and every group that
counts gets back the best loss, best version and snapshot it had at v. Those best versions are all at or
before v, whose predictions are still reachable, so later repairs restore predictions of versions that
count, and the invariant "every counting group within alpha of its best" is the one version v had.
A rollback does not lower the holdout loss by alpha (it may raise it); it is an organizer's decision.

**Replay without some pairs** (disqualifying a team): a rollback to version 0 followed by a fresh commit,
in arrival order, of every other counting update from its stored patch (the group's rows and h's
predictions on them, so no model runs). The real check runs again against the replayed list, so a pair
may now be rejected; the outcomes are returned. The result predicts exactly as a list built from the
base with only the kept pairs would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.check import Decision
from scoring.pdl.cache import SplitCache
from scoring.pdl.decision_list import DecisionList, Node


def replica(dl: DecisionList, upto: int) -> DecisionList:
    """A new list holding ``dl``'s versions 0..``upto``, rebuilt from its stored patches."""
    return dl.replica(upto)


def rollback(dl: DecisionList, target: int, label: str) -> Node:
    """Append a rollback node to version ``target`` (an earlier version than the head)."""
    return dl.rollback(target, label)


def counting_updates(dl: DecisionList) -> list[Node]:
    """The update nodes whose groups count at the head (not undone by a rollback), oldest first."""
    return [n for n in dl.nodes if n.kind == "update" and dl.ledger.entries[n.group].active]


def split_gains(dl: DecisionList, split: str) -> dict[int, float]:
    """Every update node's gain on ``split``: its drop of the mean loss there, from the node patches.

    The split's cached predictions are replayed from the base; an update's gain is the loss change on
    the rows its patch overwrites, against the version it was committed on.
    """
    cache = SplitCache(dl.splits[split].labels, dl.base_preds[split], dl.loss)
    n_rows = max(cache.n_rows, 1)
    gains: dict[int, float] = {}
    for node, patches in zip(dl.nodes, dl.patches, strict=True):
        delta = cache.apply(patches[split])
        if node.kind == "update":
            gains[node.number] = float(-delta.sum() / n_rows)
    return gains


@dataclass(frozen=True)
class ReplayOutcome:
    """What became of one kept update when it was committed again."""

    original: Node  # the update node it came from
    decision: Decision
    nodes: list[Node]  # the update and repairs it appended (none when now rejected)


def replay_without(
    dl: DecisionList, *, drop: set[str], label: str
) -> tuple[Node | None, list[ReplayOutcome]]:
    """Roll back to the base, then commit again, in order, every counting update not labelled in ``drop``.

    Returns the rollback node (``None`` for a list still at the base: nothing to replay) and one outcome
    per replayed update. Replayed nodes keep their update's label (the submission they came from).
    """
    if dl.head == 0:
        return None, []
    kept = [n for n in counting_updates(dl) if n.label not in drop]
    stored = [(n, dl.patches[n.number - 1], dl.ledger.entries[n.group].spec) for n in kept]
    root = rollback(dl, 0, label)
    outcomes = []
    for node, patches, spec in stored:
        assert node.model_sha is not None
        masks = {}
        for s, patch in patches.items():
            mask = np.zeros(dl.splits[s].n_rows, dtype=bool)
            mask[patch.rows] = True
            masks[s] = mask
        decision, nodes = dl.commit(
            spec=spec,
            model=dl.models[node.model_sha],
            masks=masks,
            preds={s: p.preds for s, p in patches.items()},
            label=node.label,
        )
        outcomes.append(ReplayOutcome(node, decision, nodes))
    return root, outcomes
