"""Organizer actions on a competition's store: check without committing, roll back, replay without a
team, confirm accepted updates, export the model.

Like ``Store.commit``, every call names the head version the platform's database knows; actions that grow
the list save it and return the new versions for the platform to record (until it does, the database's
head stays where it was and the next call replays only up to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.check import Decision
from scoring.engine.evaluation import Evaluation
from scoring.engine.store import Store, VersionRecord
from scoring.pdl import DecisionList, save
from scoring.pdl import rollback as pdl


def _save(store: Store, dl: DecisionList) -> None:
    save(dl, store.directory / "list", schema=store.schema, loss_params=store.settings.loss_params)


def check(store: Store, evaluation: Evaluation, *, head: int) -> Decision:
    """The decision ``evaluation`` would get against version ``head``; nothing is changed."""
    with store._lock:
        dl = store.decision_list(head)
        return dl.check(evaluation.masks[dl.primary], evaluation.preds[dl.primary])


def rollback(store: Store, *, head: int, target: int, label: str) -> VersionRecord:
    """Append a version predicting exactly as version ``target`` did. Raises ValueError for a bad target."""
    with store._lock:
        dl = store.decision_list(head)
        node = dl.rollback(target, label)
        _save(store, dl)
        return VersionRecord.of(node)


@dataclass(frozen=True)
class Replayed:
    """One kept update committed again: which submission, the new decision and the versions it made."""

    label: str
    decision: Decision
    versions: list[VersionRecord]


def replay_without(
    store: Store, *, head: int, drop: set[str], label: str
) -> tuple[list[VersionRecord], list[Replayed]]:
    """Rebuild the model from the base without the updates labelled in ``drop`` (see scoring.pdl.rollback).

    Returns every new version (the rollback to the base first) and what became of each kept update.
    """
    with store._lock:
        dl = store.decision_list(head)
        first = dl.head
        root, outcomes = pdl.replay_without(dl, drop=drop, label=label)
        if root is None:
            return [], []
        _save(store, dl)
        replayed = [
            Replayed(o.original.label, o.decision, [VersionRecord.of(n) for n in o.nodes]) for o in outcomes
        ]
        return [VersionRecord.of(n) for n in dl.nodes[first:]], replayed


def counting_labels(store: Store, *, head: int) -> dict[str, int]:
    """The labels (submissions) whose updates count at ``head``, with their update's version number."""
    with store._lock:
        return {n.label: n.number for n in pdl.counting_updates(store.decision_list(head))}


def confirmation_gains(store: Store, *, head: int) -> dict[str, float]:
    """Each counting update's gain on the confirmation split, by label (from the node patches)."""
    with store._lock:
        dl = store.decision_list(head)
        gains = pdl.split_gains(dl, "confirmation")
        return {n.label: gains[n.number] for n in pdl.counting_updates(dl)}


def export_bundle(store: Store, target: Path, *, head: int, meta: dict[str, Any] | None = None) -> Path:
    """Write version ``head`` as a deployable bundle (a ``.zip`` file or a directory) at ``target``."""
    from scoring.bundle import write_bundle

    with store._lock:
        dl = store.decision_list(head)
        return write_bundle(dl, target, schema=store.schema, base_model=store.base_model(), meta=meta)
