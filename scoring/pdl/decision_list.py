"""The pointer decision list: immutable versions built from update and repair nodes.

Version 0 is the base model. Accepting a pair (g, h) appends an **update node** creating version t+1:
``f_{t+1}(x) = h(x) if g(x) else f_t(x)``. Then, while some accepted group i sits more than alpha (as a share
of all rows) above the best loss any version reached on it, a **repair node** (g_i -> v_i) is appended:
rows in g_i are predicted as version v_i predicted them. Every node lowers the primary split's loss by at
least alpha, so there are at most ``L(f_0) / alpha`` nodes.

The list keeps, for every split it was given labels for, the current predictions and per-row losses;
a node only overwrites the rows of its group, so a check costs O(n) whatever the list length.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from scoring.check import CheckStats, Decision, Rules, decide
from scoring.errors import EngineError, Reason
from scoring.losses import Loss
from scoring.pdl.cache import RowPatch, SplitCache
from scoring.pdl.ledger import GroupEntry, GroupSpec, Ledger

NodeKind = Literal["update", "repair", "rollback"]
ALL_ROWS = -1  # the group of a rollback node: every row (see scoring.pdl.rollback)


@dataclass(frozen=True)
class Node:
    number: int  # the version this node creates
    kind: NodeKind
    group: int  # index of the accepted group this node is about
    target: int | None  # repair: the version whose predictions it restores on the group
    label: str  # the submission an update came from; repairs name the update that caused them
    gain: float  # decrease of the primary split's mean loss
    losses: dict[str, float]  # mean loss on each split after this node
    model_sha: str | None  # update: the sha256 of h


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DecisionList:
    def __init__(
        self,
        *,
        loss: Loss,
        rules: Rules,
        labels: dict[str, np.ndarray],
        base_preds: dict[str, np.ndarray],
        primary: str = "holdout",
    ) -> None:
        if primary not in labels or set(labels) != set(base_preds):
            raise ValueError("every split needs labels and base predictions, the primary among them")
        self.loss = loss
        self.rules = rules
        self.primary = primary
        self.splits = {s: SplitCache(labels[s], base_preds[s], loss) for s in labels}
        self.base_preds = {s: p.copy() for s, p in base_preds.items()}
        self.ledger = Ledger(self.splits[primary].n_rows, primary)
        self.nodes: list[Node] = []
        self.patches: list[dict[str, RowPatch]] = []
        self.models: dict[str, bytes] = {}

    # -- reading ------------------------------------------------------------------------------
    @property
    def head(self) -> int:
        return len(self.nodes)

    def current_losses(self) -> dict[str, float]:
        return {s: c.mean_loss() for s, c in self.splits.items()}

    def base_losses(self) -> dict[str, float]:
        return {s: self.loss.mean(c.labels, self.base_preds[s]) for s, c in self.splits.items()}

    def predictions(self, split: str) -> np.ndarray:
        return self.splits[split].preds

    # -- the check ----------------------------------------------------------------------------
    def stats(self, mask: np.ndarray, h_preds: np.ndarray, split: str | None = None) -> CheckStats:
        cache = self.splits[split or self.primary]
        if mask.shape != (cache.n_rows,) or mask.dtype != np.bool_:
            raise EngineError(Reason.PREDICTION_ERROR, "the group mask does not fit the split")
        rows = np.flatnonzero(mask)
        return CheckStats.measure(mask, cache.row_loss, cache.loss_of(rows, h_preds), rows)

    def check(self, mask: np.ndarray, h_preds: np.ndarray) -> Decision:
        """The decision for (g, h) against the newest version, on the primary split."""
        return decide(self.stats(mask, h_preds), self.rules)

    # -- growing the list ---------------------------------------------------------------------
    def commit(
        self,
        *,
        spec: GroupSpec,
        model: bytes,
        masks: dict[str, np.ndarray],
        preds: dict[str, np.ndarray],
        label: str,
    ) -> tuple[Decision, list[Node]]:
        """Check the pair against the newest version and, when accepted, append it and its repairs."""
        decision = self.check(masks[self.primary], preds[self.primary])
        if not decision.accepted:
            return decision, []
        return decision, self.accept(spec=spec, model=model, masks=masks, preds=preds, label=label)

    def accept(
        self,
        *,
        spec: GroupSpec,
        model: bytes,
        masks: dict[str, np.ndarray],
        preds: dict[str, np.ndarray],
        label: str,
    ) -> list[Node]:
        """Append an update node for (g, h) unconditionally, then every repair it makes necessary."""
        if set(masks) != set(self.splits) or set(preds) != set(self.splits):
            raise ValueError("an accepted pair needs a mask and predictions on every split")
        rows = {s: np.flatnonzero(m).astype(np.int64) for s, m in masks.items()}
        patches = {s: RowPatch(rows[s], np.asarray(preds[s])) for s in self.splits}
        sha = sha256(model)
        self.models[sha] = model
        first = self.head
        self._append("update", GroupEntry(spec=spec, rows=rows), None, label, patches, sha)
        self._repair(label)
        return self.nodes[first:]

    def _repair(self, label: str) -> None:
        limit = int(self.splits[self.primary].mean_loss() / self.rules.alpha) + 1
        for _ in range(limit):
            i = self.ledger.worst_violation(self.rules.alpha)
            if i is None:
                return
            entry = self.ledger.entries[i]
            patches = {s: RowPatch(entry.rows[s], entry.snapshot[s]) for s in self.splits}
            self._append("repair", i, entry.best_version, label, patches, None)
        raise RuntimeError("repairs did not converge; the loss is not bounded below")

    def _append(
        self,
        kind: NodeKind,
        group: GroupEntry | int,
        target: int | None,
        label: str,
        patches: dict[str, RowPatch],
        model_sha: str | None,
    ) -> Node:
        """Apply one node's patches to every split and record it (also used when replaying)."""
        primary = self.splits[self.primary]
        before = primary.mean_loss()
        for split, patch in patches.items():
            delta = self.splits[split].apply(patch)
            if split == self.primary:
                self.ledger.shift(patch.rows, delta)
        if isinstance(group, GroupEntry):
            group = self.ledger.add(group, float(primary.row_loss[group.rows[self.primary]].sum()))
        if kind == "rollback":
            assert target is not None
            self._restore_ledger(target)
        losses = self.current_losses()
        node = Node(
            number=self.head + 1,
            kind=kind,
            group=group,
            target=target,
            label=label,
            gain=before - losses[self.primary],
            losses=losses,
            model_sha=model_sha,
        )
        self.nodes.append(node)
        self.patches.append(patches)
        self.ledger.refresh_best(node.number, {s: c.preds for s, c in self.splits.items()})
        return node

    def rollback(self, target: int, label: str) -> Node:
        """Append a rollback node: a new version predicting exactly as version ``target`` (earlier than
        the head) did."""
        if not 0 <= target < self.head:
            raise ValueError(f"can only roll back to an earlier version (0..{self.head - 1}), not {target}")
        then = self.replica(target)
        patches = {
            s: RowPatch(np.arange(c.n_rows, dtype=np.int64), then.splits[s].preds.copy())
            for s, c in self.splits.items()
        }
        return self._append("rollback", ALL_ROWS, target, label, patches, None)

    def replica(self, upto: int) -> DecisionList:
        """A new list holding versions 0..``upto``, rebuilt from the stored patches."""
        if not 0 <= upto <= self.head:
            raise ValueError(f"no version {upto}")
        out = DecisionList(
            loss=self.loss,
            rules=self.rules,
            labels={s: c.labels for s, c in self.splits.items()},
            base_preds=self.base_preds,
            primary=self.primary,
        )
        out.models = self.models
        for node, patches in zip(self.nodes[:upto], self.patches[:upto], strict=True):
            group: GroupEntry | int = node.group
            if node.kind == "update":
                spec = self.ledger.entries[node.group].spec
                group = GroupEntry(spec=spec, rows={s: p.rows for s, p in patches.items()})
            again = out._append(node.kind, group, node.target, node.label, patches, node.model_sha)
            if again != node:
                raise ValueError(f"node {node.number} does not replay to what was recorded")
        return out

    def _restore_ledger(self, target: int) -> None:
        """Give the ledger the state it had at version ``target`` (while appending a rollback)."""
        ref = self.replica(target).ledger
        kept = len(ref.entries)
        for i, entry in enumerate(self.ledger.entries):
            if i >= kept:
                entry.active = False
                continue
            then = ref.entries[i]
            entry.best, entry.best_version = then.best, then.best_version
            entry.snapshot, entry.active = then.snapshot, then.active
        sums = self.ledger.sums.copy()
        sums[:kept] = ref.sums
        self.ledger.sums = sums

    def state_nbytes(self) -> int:
        """Memory held by the cached state: split arrays, group rows and snapshots, node patches."""
        total = sum(c.nbytes() for c in self.splits.values())
        total += sum(p.nbytes for p in self.base_preds.values())
        total += self.ledger.nbytes()
        seen = {id(a) for e in self.ledger.entries for a in (*e.rows.values(), *e.snapshot.values())}
        for patches in self.patches:
            for array in (a for p in patches.values() for a in (p.rows, p.preds)):
                total += 0 if id(array) in seen else array.nbytes
                seen.add(id(array))
        return total
