"""Folders kept in the shared store: a competition's engine directory, an evaluation, a wizard draft.

A process works on the folder's local copy under ``BOUNTY_DATA_DIR`` as it always has (the engine
memory-maps its frames); ``folder_push`` sends what changed and then the folder's index (the index is
written last, so a reader sees a folder whole or as it was), ``folder_pull`` brings the local copy to
the index, fetching only the files whose hash changed (through the host's blob cache, linked, not
copied). Each host keeps, per folder, the hash, size and modification time of every file it synced, so
an unchanged file is never hashed or sent again. Without a shared store both are no-ops.

Writers of one folder are serialized by the platform (a competition's list under its lock; a draft's
job runs one at a time; an evaluation has one writer); on a host, a file lock keeps two processes of
the same folder from syncing it at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bounty.storage import remote
from bounty.storage.blobs import blob_get, blob_keep, blob_put, cache_evict, file_sha256
from bounty.storage.local import data_dir

FORMAT = 1
# The mark each local copy was last brought to by this process: a request then reads no state file.
_pulled: dict[Path, str | None] = {}


def folder_local(name: str) -> Path:
    return data_dir() / name


def _index_name(name: str) -> str:
    return f"folders/{name}/index.json"


def _state_path(name: str) -> Path:
    return data_dir() / "cache" / "folders" / f"{name}.json"


@contextmanager
def _host_lock(name: str) -> Iterator[None]:
    path = _state_path(name).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_state(name: str) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads(_state_path(name).read_text())
        return state
    except (FileNotFoundError, ValueError):
        return {"mark": None, "files": {}}


def _write_state(name: str, state: dict[str, Any]) -> None:
    path = _state_path(name)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def _stamp(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _excluded(rel: str, exclude: tuple[str, ...]) -> bool:
    """Temporary files (a part starting with a dot) and the sub-folders shared on their own."""
    return any(p.startswith(".") for p in rel.split("/")) or any(
        rel == e or rel.startswith(e + "/") for e in exclude
    )


def _walk(root: Path, exclude: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not _excluded(rel, exclude):
            yield rel, path


def folder_push(
    name: str, *, mark: str | None = None, exclude: tuple[str, ...] = (), release: bool = False
) -> None:
    """Send the local copy of folder ``name`` to the shared store (its new files, then its index)
    and remember ``mark`` (what the local copy now stands for, e.g. a head version). With ``release``
    the local copy goes (its files stay in the host's blob cache, evictable): for folders another host
    takes over, so that no host keeps what it no longer works on."""
    store = remote.remote()
    if store is None or not folder_local(name).is_dir():
        return
    with _host_lock(name):
        state = _read_state(name)
        known: dict[str, list[Any]] = state["files"]
        files: dict[str, list[Any]] = {}
        for rel, path in _walk(folder_local(name), exclude):
            stamp = _stamp(path)
            before = known.get(rel)
            sha = before[0] if before and before[1:] == stamp else file_sha256(path)
            if not before or before[0] != sha:
                blob_put(path, sha256=sha)
            files[rel] = [sha, *stamp]
        index = {"format": FORMAT, "files": {rel: [f[0], f[1]] for rel, f in files.items()}}
        remote.put_bytes(store, _index_name(name), json.dumps(index, sort_keys=True).encode())
        if release:
            for rel, kept in files.items():
                blob_keep(folder_local(name) / rel, kept[0])
            shutil.rmtree(folder_local(name), ignore_errors=True)
            _state_path(name).unlink(missing_ok=True)
            return
        _write_state(name, {"mark": mark, "files": files})
        _pulled[folder_local(name)] = mark


def folder_pull(name: str, *, mark: str | None = None, exclude: tuple[str, ...] = ()) -> Path:
    """The local copy of folder ``name``, first brought to the shared store's index unless it was
    synced for this same ``mark`` already. Files the index dropped are deleted here too."""
    local = folder_local(name)
    store = remote.remote()
    if store is None or (mark is not None and _pulled.get(local) == mark and local.is_dir()):
        return local  # no store, or this process brought it to ``mark`` already (a copy only moves on)
    with _host_lock(name):
        state = _read_state(name)
        if mark is not None and state["mark"] == mark and local.is_dir():
            _pulled[folder_local(name)] = mark
            return local
        raw = remote.get_bytes(store, _index_name(name))
        if raw is None:  # never shared (the local copy is all there is), or dropped by another host
            if state["files"]:
                shutil.rmtree(local, ignore_errors=True)
                _state_path(name).unlink(missing_ok=True)
            return local
        index = json.loads(raw)
        known: dict[str, list[Any]] = state["files"]
        files: dict[str, list[Any]] = {}
        for rel, (sha, _size) in sorted(index["files"].items()):
            target = local / rel
            before = known.get(rel)
            if before and before[0] == sha and target.is_file():
                # Unchanged in the store since this host last synced it. If the local file changed since,
                # a process of this host wrote it (the folder's one writer, under the platform's lock)
                # and will send it: keep it, and its old stamp, so that the push sees the change.
                files[rel] = before
                continue
            _place(blob_get(sha, evict=False), target)
            files[rel] = [sha, *_stamp(target)]
        for rel in set(known) - set(files):
            if not _excluded(rel, exclude):
                (local / rel).unlink(missing_ok=True)
        _write_state(name, {"mark": mark, "files": files})
        _pulled[folder_local(name)] = mark
    cache_evict()  # once, now that the folder links what it needs (linked blobs stay)
    return local


def _place(blob: Path, target: Path) -> None:
    """Put the cached blob at ``target`` atomically: a hard link, or a copy across file systems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.pull")
    tmp.unlink(missing_ok=True)
    try:
        os.link(blob, tmp)
    except OSError:
        shutil.copyfile(blob, tmp)
    os.replace(tmp, target)


def folder_drop(name: str) -> None:
    """Forget folder ``name`` in the shared store (its index; blobs stay, shared by hash)."""
    store = remote.remote()
    if store is None:
        return
    remote.delete_prefix(store, f"folders/{name}/")
    _state_path(name).unlink(missing_ok=True)
