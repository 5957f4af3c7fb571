"""Where files live under ``BOUNTY_DATA_DIR``, and the direct (one shared disk) way of keeping
artifacts and shard results. Nothing here is under a URL.

- ``competitions/<id>/``: split files and engine state; ``public/train.csv`` is the only file a
  participant can download (through a view that checks the terms).
- ``artifacts/<sha256[:2]>/<sha256>``: uploaded model files, stored by content hash.
- ``shards/<submission>-<claim>/<index>``: the engine's result of each shard of a sharded evaluation
  (bytes), kept until the shards are combined, and ``<index>.working``, touched while a worker
  evaluates that shard.

Shard results go in and out as bytes, never as paths, so that another store can hold them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings

from bounty.errors import DomainError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def data_dir() -> Path:
    return Path(settings.BOUNTY_DATA_DIR)


def competition_dir(competition_id: int) -> Path:
    return data_dir() / "competitions" / str(int(competition_id))


def draft_path(draft_id: int) -> Path:
    """A competition draft's files: uploads, raw and typed columns, base model (``services.wizard``)."""
    return data_dir() / "drafts" / str(int(draft_id))


def train_path(competition_id: int) -> Path:
    return competition_dir(competition_id) / "public" / "train.csv"


def artifact_path(sha256: str) -> Path:
    if not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return data_dir() / "artifacts" / sha256[:2] / sha256


def local_artifact_read(sha256: str) -> bytes:
    return artifact_path(sha256).read_bytes()


def local_artifact_write(
    chunks: Iterable[bytes], *, max_bytes: int, field: str, keep: Callable[[Path, str], None] | None = None
) -> str:
    """Store the bytes by content hash (atomically, once) and return the hex digest; ``keep(file,
    digest)``, when given, takes the written file instead (to share it).

    Raises ``DomainError(file_too_large)`` as soon as more than ``max_bytes`` arrive.
    """
    root = data_dir() / "artifacts"
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise DomainError(
                        "file_too_large",
                        f"The file is larger than {max_bytes // (1024 * 1024)} MB.",
                        field=field,
                    )
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise DomainError("file_empty", "The file is empty.", field=field)
        if keep is not None:
            keep(tmp, digest.hexdigest())
            return digest.hexdigest()
        target = artifact_path(digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            tmp.unlink()
        else:
            tmp.chmod(0o640)
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return digest.hexdigest()


def shard_path(claim: str, index: int) -> Path:
    if not re.fullmatch(r"\d+-\d+", claim):
        raise ValueError(f"not a claim label: {claim!r}")
    return data_dir() / "shards" / claim / str(int(index))


def local_shard_write(*, claim: str, index: int, data: bytes) -> None:
    """Keep shard ``index`` of claim ``claim`` (``<submission>-<attempt>``), replacing it atomically."""
    path = shard_path(claim, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def local_shard_read(*, claim: str, index: int) -> bytes | None:
    """The kept bytes of a shard, or None if it has not finished."""
    try:
        return shard_path(claim, index).read_bytes()
    except FileNotFoundError:
        return None


def local_shard_done(*, claim: str, index: int) -> bool:
    return shard_path(claim, index).is_file()


def local_shard_mark(*, claim: str, index: int) -> None:
    """Say that shard ``index`` is being evaluated, now (its worker calls this while it works)."""
    path = shard_path(claim, index).with_suffix(".working")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def local_shard_mark_age(*, claim: str, index: int) -> float | None:
    """Seconds since the worker of shard ``index`` last said it was working; None if none started it."""
    try:
        return max(0.0, time.time() - shard_path(claim, index).with_suffix(".working").stat().st_mtime)
    except FileNotFoundError:
        return None


def local_shards_drop(*, submission_id: int) -> None:
    """Forget the shards of every claim of a submission."""
    for folder in (data_dir() / "shards").glob(f"{int(submission_id)}-*"):
        shutil.rmtree(folder, ignore_errors=True)
