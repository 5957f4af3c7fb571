"""Where the platform keeps its files: one interface, two ways.

- **Direct** (the embedded default, ``make demo``): everything under ``BOUNTY_DATA_DIR``
  (``bounty.storage.local``); several processes share it only on one disk.
- **Shared store** (``BOUNTY_S3_BUCKET``, or ``BOUNTY_STORE_DIR``): uploaded models, the competitions'
  engine directories, evaluations, shard results and wizard drafts live in object storage
  (``bounty.storage.remote``); each host keeps a local copy of the folders it works on and a capped
  cache of blobs (``bounty.storage.folders``, ``bounty.storage.blobs``). Web processes and workers on
  different machines share nothing but the database, the broker and the store.

Callers name what they want (an artifact's hash, a shard, a folder); which way it is kept is decided
here alone.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from bounty.storage import local, remote
from bounty.storage.blobs import blob_get, blob_put, cached_path
from bounty.storage.folders import folder_drop, folder_pull, folder_push
from bounty.storage.local import (
    competition_dir,
    data_dir,
    draft_path,
    train_path,
)

__all__ = [
    "artifact_path",
    "artifact_read",
    "artifact_write",
    "competition_dir",
    "data_dir",
    "draft_folder",
    "draft_forget",
    "draft_path",
    "draft_saved",
    "folder_drop",
    "folder_pull",
    "folder_push",
    "shard_done",
    "shard_mark",
    "shard_mark_age",
    "shard_read",
    "shard_write",
    "shards_drop",
    "shared",
    "train_path",
]


def draft_folder(draft_id: int) -> Path:
    """A wizard draft's files on this host (``services.wizard``), as the last step left them."""
    return folder_pull(f"drafts/{int(draft_id)}")


def draft_saved(draft_id: int) -> None:
    """Share what a draft step wrote, before the job that reads it is sent (or its result recorded)."""
    folder_push(f"drafts/{int(draft_id)}", release=True)  # the next step may run on any host


def draft_forget(draft_id: int) -> None:
    shutil.rmtree(draft_path(draft_id), ignore_errors=True)
    folder_drop(f"drafts/{int(draft_id)}")


def shared() -> bool:
    """Whether files live in a shared store (and local folders are copies)."""
    return remote.remote() is not None


def artifact_path(sha256: str) -> Path:
    """Where this host keeps an uploaded model (with a shared store: in its blob cache)."""
    return cached_path(sha256) if shared() else local.artifact_path(sha256)


def artifact_write(chunks: Iterable[bytes], *, max_bytes: int, field: str) -> str:
    """Store the bytes by content hash and return the hex digest (``file_too_large`` / ``file_empty``
    as soon as the stream says so, before anything is shared)."""
    if not shared():
        return local.local_artifact_write(chunks, max_bytes=max_bytes, field=field)

    def keep(path: Path, sha: str) -> None:
        blob_put(path, sha256=sha, keep=True)

    return local.local_artifact_write(chunks, max_bytes=max_bytes, field=field, keep=keep)


def artifact_read(sha256: str) -> bytes:
    if shared():
        return blob_get(sha256).read_bytes()
    return local.local_artifact_read(sha256)


def _shard_name(claim: str, index: int) -> str:
    local.shard_path(claim, index)  # checks the claim label
    return f"shards/{claim}/{int(index)}"


def shard_write(*, claim: str, index: int, data: bytes) -> None:
    """Keep shard ``index`` of claim ``claim`` (``<submission>-<attempt>``), replacing it whole."""
    store = remote.remote()
    if store is None:
        return local.local_shard_write(claim=claim, index=index, data=data)
    remote.put_bytes(store, _shard_name(claim, index), data)


def shard_read(*, claim: str, index: int) -> bytes | None:
    """The kept bytes of a shard, or None if it has not finished."""
    store = remote.remote()
    if store is None:
        return local.local_shard_read(claim=claim, index=index)
    return remote.get_bytes(store, _shard_name(claim, index))


def shard_done(*, claim: str, index: int) -> bool:
    store = remote.remote()
    if store is None:
        return local.local_shard_done(claim=claim, index=index)
    return remote.exists(store, _shard_name(claim, index))


def shard_mark(*, claim: str, index: int) -> None:
    """Say that shard ``index`` is being evaluated, now (its worker calls this while it works)."""
    store = remote.remote()
    if store is None:
        return local.local_shard_mark(claim=claim, index=index)
    remote.put_bytes(store, _shard_name(claim, index) + ".working", b"")


def shard_mark_age(*, claim: str, index: int) -> float | None:
    """Seconds since the worker of shard ``index`` last said it was working; None if none started it.
    With a shared store the age is measured on the store's clock (hosts keep their clocks in sync)."""
    store = remote.remote()
    if store is None:
        return local.local_shard_mark_age(claim=claim, index=index)
    written = remote.modified(store, _shard_name(claim, index) + ".working")
    return None if written is None else max(0.0, time.time() - written)


def shards_drop(*, submission_id: int) -> None:
    """Forget the shards of every claim of a submission."""
    store = remote.remote()
    if store is None:
        return local.local_shards_drop(submission_id=submission_id)
    remote.delete_prefix(store, f"shards/{int(submission_id)}-")
