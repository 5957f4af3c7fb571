"""Saving a decision list to a directory and loading it back bit-identically.

Layout (append-only; the manifest is replaced atomically and is the only authority on which nodes exist)::

    manifest.json                      schema, loss, rules, splits, groups, nodes
    arrays/labels.<split>.npy          labels of each split
    arrays/base.<split>.npy            base model predictions on each split
    nodes/<number>/<split>.rows.npy    rows a node overwrites
    nodes/<number>/<split>.preds.npy   and what it writes there
    models/<sha256>.skops              participant models (h, and groups given as classifiers)

Loading replays the stored patches in order (no model runs), recomputing every cached array with the same
operations, and checks each replayed node against the manifest.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from scoring.check import Rules
from scoring.losses import get_loss
from scoring.pdl.cache import RowPatch
from scoring.pdl.decision_list import DecisionList, Node, sha256
from scoring.pdl.ledger import GroupEntry, GroupSpec
from scoring.schema import Schema

FORMAT = 1


def _npy_save(path: Path, array: np.ndarray) -> None:
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, array, allow_pickle=False)
    os.replace(tmp, path)


def _npy_load(path: Path) -> np.ndarray:
    return np.load(path, allow_pickle=False)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _group_json(spec: GroupSpec) -> dict[str, Any]:
    if spec.tree is not None:
        return {"tree": spec.tree}
    assert spec.model is not None
    return {"model": sha256(spec.model)}


def save(dl: DecisionList, directory: Path, *, schema: Schema, loss_params: dict[str, Any]) -> None:
    """Write whatever of ``dl`` the directory lacks, then the manifest (atomically)."""
    arrays, models = directory / "arrays", directory / "models"
    for folder in (arrays, models, directory / "nodes"):
        folder.mkdir(parents=True, exist_ok=True)
    for split, cache in dl.splits.items():
        for name, array in (("labels", cache.labels), ("base", dl.base_preds[split])):
            path = arrays / f"{name}.{split}.npy"
            if not path.exists():
                _npy_save(path, array)
    blobs = dict(dl.models)
    blobs.update({sha256(e.spec.model): e.spec.model for e in dl.ledger.entries if e.spec.model})
    for sha, blob in blobs.items():
        path = models / f"{sha}.skops"
        if not path.exists():
            path.write_bytes(blob)
    kept = _saved_prefix(dl, directory)
    for node, patches in zip(dl.nodes[kept:], dl.patches[kept:], strict=True):
        _save_patches(directory / "nodes" / f"{node.number:05d}", patches)
    _write_json(directory / "manifest.json", _manifest(dl, schema, loss_params))


def _saved_prefix(dl: DecisionList, directory: Path) -> int:
    """How many of ``dl``'s nodes the manifest already holds; later node folders are stale leftovers."""
    if not (directory / "manifest.json").exists():
        return 0
    saved = [Node(**n) for n in read_manifest(directory)["nodes"]]
    kept = 0
    for mine, theirs in zip(dl.nodes, saved, strict=False):
        if mine != theirs:
            break
        kept += 1
    return kept


def _save_patches(folder: Path, patches: dict[str, RowPatch]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for split, patch in patches.items():
        _npy_save(folder / f"{split}.rows.npy", patch.rows)
        _npy_save(folder / f"{split}.preds.npy", patch.preds)


def _manifest(dl: DecisionList, schema: Schema, loss_params: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "primary": dl.primary,
        "schema": schema.to_json(),
        "loss": {"name": dl.loss.name, "params": loss_params},
        "rules": asdict(dl.rules),
        "splits": {s: c.n_rows for s, c in dl.splits.items()},
        "groups": [_group_json(e.spec) for e in dl.ledger.entries],
        "nodes": [asdict(n) for n in dl.nodes],
    }


def read_manifest(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "manifest.json").read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown decision list format {data.get('format')!r}")
    return data


def load(directory: Path, *, upto: int | None = None) -> DecisionList:
    """The list saved in ``directory``, replayed up to version ``upto`` (default: every node)."""
    manifest = read_manifest(directory)
    schema = Schema.from_json(manifest["schema"])
    splits = list(manifest["splits"])
    arrays = directory / "arrays"
    dl = DecisionList(
        loss=get_loss(manifest["loss"]["name"], schema, manifest["loss"]["params"]),
        rules=Rules(**manifest["rules"]),
        labels={s: _npy_load(arrays / f"labels.{s}.npy") for s in splits},
        base_preds={s: _npy_load(arrays / f"base.{s}.npy") for s in splits},
        primary=manifest["primary"],
    )
    return extend(dl, directory, manifest=manifest, upto=upto)


def extend(
    dl: DecisionList,
    directory: Path,
    *,
    manifest: dict[str, Any] | None = None,
    upto: int | None = None,
) -> DecisionList:
    """Replay onto ``dl`` the saved nodes it lacks (its own nodes must be a prefix of the saved ones)."""
    manifest = manifest or read_manifest(directory)
    stored = [Node(**n) for n in manifest["nodes"]]
    upto = len(stored) if upto is None else upto
    if not dl.head <= upto <= len(stored) or stored[: dl.head] != dl.nodes:
        raise ValueError("the saved list does not extend this one")
    for node in stored[dl.head : upto]:
        _replay(dl, directory, manifest, node)
    return dl


def _replay(dl: DecisionList, directory: Path, manifest: dict[str, Any], node: Node) -> None:
    folder = directory / "nodes" / f"{node.number:05d}"
    patches = {
        s: RowPatch(_npy_load(folder / f"{s}.rows.npy"), _npy_load(folder / f"{s}.preds.npy"))
        for s in dl.splits
    }
    group: GroupEntry | int = node.group
    if node.kind == "update":
        assert node.model_sha is not None
        dl.models[node.model_sha] = (directory / "models" / f"{node.model_sha}.skops").read_bytes()
        group = GroupEntry(
            spec=_spec(directory, manifest["groups"][node.group]),
            rows={s: p.rows for s, p in patches.items()},
        )
    replayed = dl._append(node.kind, group, node.target, node.label, patches, node.model_sha)
    if replayed != node:
        raise ValueError(f"node {node.number} does not replay to what was saved")


def _spec(directory: Path, data: dict[str, Any]) -> GroupSpec:
    if "tree" in data:
        return GroupSpec(tree=data["tree"])
    return GroupSpec(model=(directory / "models" / f"{data['model']}.skops").read_bytes())
