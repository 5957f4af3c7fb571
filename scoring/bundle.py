"""A deployable export of one model version: a JSON manifest, the model files and the group trees.

Layout (a directory, or the same files in a ``.zip``)::

    bundle.json            format, version, schema, output kind, base model, nodes, groups, meta
    models/<sha256>.skops  the base model, every update's h and every group given as a classifier,
                           byte for byte as the platform stored them

``load_bundle`` needs neither Django nor the platform's files: it reads the manifest, checks every model
file against its sha256 and loads models only through ``scoring.formats.load_model`` (skops under the
platform's own allowlist, never pickle), in the calling process. ``Bundle.predict`` walks the nodes newest
first exactly as the platform does (``scoring.pdl.predict``), so on the platform's holdout rows it gives
the platform's cached predictions of that version.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring import groups
from scoring.pdl import DecisionList
from scoring.schema import Schema

FORMAT = 1
MANIFEST = "bundle.json"
MAX_BUNDLE_BYTES = 2 * 2**30  # uncompressed, all members together
_MEMBER = re.compile(r"^(bundle\.json|models/[0-9a-f]{64}\.skops)$")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _group_entry(dl: DecisionList, index: int) -> dict[str, Any]:
    spec = dl.ledger.entries[index].spec
    if spec.tree is not None:
        return {"tree": spec.tree, "text": groups.to_text(spec.tree)}
    assert spec.model is not None
    return {"model": _sha(spec.model)}


def bundle_files(
    dl: DecisionList, *, schema: Schema, base_model: bytes, version: int | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, bytes]:  # fmt: skip
    """The bundle's files (name -> bytes) for ``version`` (default: the head) of ``dl``."""
    version = dl.head if version is None else version
    if not 0 <= version <= dl.head:
        raise ValueError(f"no version {version}")
    nodes = dl.nodes[:version]
    models = {_sha(base_model): base_model}
    models.update({n.model_sha: dl.models[n.model_sha] for n in nodes if n.model_sha is not None})
    used = sorted({n.group for n in nodes if n.kind != "rollback"})
    for i in used:
        spec_model = dl.ledger.entries[i].spec.model
        if spec_model is not None:
            models[_sha(spec_model)] = spec_model
    manifest = {
        "format": FORMAT,
        "version": version,
        "schema": schema.to_json(),
        "output": dl.loss.output,
        "base_model": _sha(base_model),
        "nodes": [
            {"number": n.number, "kind": n.kind, "group": n.group, "target": n.target, "model": n.model_sha}
            for n in nodes
        ],
        "groups": {str(i): _group_entry(dl, i) for i in used},
        "meta": meta or {},
    }
    files = {MANIFEST: json.dumps(manifest, indent=1, sort_keys=True).encode()}
    files.update({f"models/{sha}.skops": blob for sha, blob in models.items()})
    return files


def write_bundle(
    dl: DecisionList, target: Path, *, schema: Schema, base_model: bytes, version: int | None = None,
    meta: dict[str, Any] | None = None,
) -> Path:  # fmt: skip
    """Write the bundle to ``target``: a zip file when its name ends in ``.zip``, else a new directory."""
    files = bundle_files(dl, schema=schema, base_model=base_model, version=version, meta=meta)
    target = Path(target)
    if target.suffix == ".zip":
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(bundle_zip_bytes(files))
        os.replace(tmp, target)
        return target
    (target / "models").mkdir(parents=True, exist_ok=False)
    for name, data in files.items():
        (target / name).write_bytes(data)
    return target


def bundle_zip_bytes(files: dict[str, bytes]) -> bytes:
    """The zip file holding ``files`` (for serving a bundle without touching the disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def _read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if any(not _MEMBER.match(i.filename) for i in infos):
            raise ValueError("the bundle holds an unexpected file")
        if sum(i.file_size for i in infos) > MAX_BUNDLE_BYTES:
            raise ValueError("the bundle is too large")
        return {i.filename: archive.read(i) for i in infos}


def _read_dir(path: Path) -> dict[str, bytes]:
    files = {MANIFEST: (path / MANIFEST).read_bytes()}
    for model in (path / "models").glob("*.skops"):
        name = f"models/{model.name}"
        if _MEMBER.match(name):
            files[name] = model.read_bytes()
    return files


def load_bundle(path: Path) -> Bundle:
    """Read a bundle written by ``write_bundle`` (zip file or directory); models load lazily."""
    path = Path(path)
    files = _read_zip(path) if path.is_file() else _read_dir(path)
    manifest = json.loads(files[MANIFEST])
    if manifest.get("format") != FORMAT:
        raise ValueError(f"unknown bundle format {manifest.get('format')!r}")
    models: dict[str, bytes] = {}
    for name, data in files.items():
        if name.startswith("models/"):
            sha = name[len("models/") : -len(".skops")]
            if _sha(data) != sha:
                raise ValueError(f"{name} does not match its sha256")
            models[sha] = data
    return Bundle(
        schema=Schema.from_json(manifest["schema"]),
        output=manifest["output"],
        version=int(manifest["version"]),
        base_model=manifest["base_model"],
        nodes=[BundleNode(**n) for n in manifest["nodes"]],
        groups={int(k): v for k, v in manifest["groups"].items()},
        models=models,
        meta=manifest.get("meta", {}),
    )


@dataclass(frozen=True)
class BundleNode:
    number: int
    kind: str  # update | repair | rollback
    group: int
    target: int | None
    model: str | None


@dataclass
class Bundle:
    schema: Schema
    output: str
    version: int
    base_model: str
    nodes: list[BundleNode]
    groups: dict[int, dict[str, Any]]
    models: dict[str, bytes]
    meta: dict[str, Any] = field(default_factory=dict)
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False)

    def model(self, sha: str) -> Any:
        """The model stored under ``sha``, loaded (once) through ``scoring.safe_load``."""
        if sha not in self._loaded:
            from scoring.formats import load_model
            from scoring.safe_load import check_capabilities

            loaded = load_model(self.models[sha])
            check_capabilities(loaded, needs_proba=self.output == "proba")
            self._loaded[sha] = loaded
        return self._loaded[sha]

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Canonical predictions (class codes, probabilities or values) of this version on ``frame``."""
        canonical = self.schema.coerce(frame).reset_index(drop=True)
        return walk(self, canonical)


# -- prediction: the pointer walk of ``scoring.pdl.predict`` over the bundle's nodes ---------------
# Every row carries a pointer to the version predicting it, starting at the bundle's version. At node k,
# rows pointing at k go to the rollback's target (rollback), or, when in the node's group, are resolved
# by h (update) or sent to the repair's target (repair); the others move on to k - 1. Rows reaching 0
# get the base model. Groups are evaluated once on the whole frame; models run only on the rows they
# resolve.
def walk(bundle: Bundle, frame: pd.DataFrame) -> np.ndarray:
    """Predictions of ``bundle``'s version on ``frame`` (canonical features, index 0..n-1)."""
    n_rows = len(frame)
    masks: dict[int, np.ndarray] = {}
    pointer = np.full(n_rows, bundle.version, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for node in reversed(bundle.nodes):
        active = np.flatnonzero(pointer == node.number)
        if active.size == 0:
            continue
        if node.kind == "rollback":
            assert node.target is not None
            pointer[active] = node.target
            continue
        if node.group not in masks:
            masks[node.group] = _group_mask(bundle, node.group, frame)
        inside = masks[node.group][active]
        hit, miss = active[inside], active[~inside]
        pointer[miss] = node.number - 1
        if node.kind == "update":
            assert node.model is not None
            pointer[hit] = -1
            if hit.size:
                parts.append((hit, _run(bundle, node.model, frame, hit)))
        else:
            assert node.target is not None
            pointer[hit] = node.target
    rest = np.flatnonzero(pointer == 0)
    parts.append((rest, _run(bundle, bundle.base_model, frame, rest)))
    return _assemble(n_rows, parts)


def _group_mask(bundle: Bundle, index: int, frame: pd.DataFrame) -> np.ndarray:
    entry: dict[str, Any] = bundle.groups[index]
    if "tree" in entry:
        tree = groups.validate_tree(entry["tree"], bundle.schema)
        return np.asarray(groups.evaluate(tree, frame, bundle.schema), dtype=bool)
    from scoring.sandbox.predict import group_mask  # what loading a bundle needs only to predict

    return group_mask(bundle.model(entry["model"]), frame)


def _run(bundle: Bundle, sha: str, frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(frame), dtype=bool)
    mask[rows] = True
    output: Any = bundle.output
    from scoring.safe_load.canonical import predict

    return predict(bundle.model(sha), frame, mask, output, bundle.schema.classes)


def _assemble(n_rows: int, parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    template = parts[0][1]
    out = np.zeros((n_rows, *template.shape[1:]), dtype=template.dtype)
    for rows, values in parts:
        out[rows] = values
    return out
