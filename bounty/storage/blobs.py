"""Each host's local cache of the shared store's blobs, by content hash, with a size cap.

``cache/blobs/<sha256[:2]>/<sha256>`` under ``BOUNTY_DATA_DIR``: a blob is downloaded once, checked
against its hash, and then read locally; folders pulled from the store link their files to these blobs
(hard links: no second copy on disk, and the engine memory-maps them as before). When the cache holds
more than ``BOUNTY_CACHE_MAX_BYTES``, the blobs used least recently go first; a blob that a pulled
folder still links to frees nothing and stays. Every blob in the cache is in the shared store too (it
came from there, or was uploaded before it was kept here).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
from pathlib import Path

from django.conf import settings

from bounty.storage import remote
from bounty.storage.local import data_dir

log = logging.getLogger(__name__)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def blob_name(sha256: str) -> str:
    """The blob's object name in the shared store."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"blobs/{sha256}"


def cache_root() -> Path:
    return data_dir() / "cache" / "blobs"


def cached_path(sha256: str) -> Path:
    blob_name(sha256)
    return cache_root() / sha256[:2] / sha256


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(remote.CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def blob_get(sha256: str, *, evict: bool = True) -> Path:
    """The local copy of blob ``sha256``, downloaded (and checked) if this host lacks it, then the
    cache brought within its cap (``evict=False``: the caller does it once, after many blobs).
    ``FileNotFoundError`` if the shared store does not have it either."""
    path = cached_path(sha256)
    if path.is_file():
        _touch(path)
        return path
    store = remote.remote()
    if store is None or not remote.get_file(store, blob_name(sha256), path):
        raise FileNotFoundError(f"no blob {sha256}")
    if file_sha256(path) != sha256:
        path.unlink(missing_ok=True)
        raise OSError(f"the blob {sha256} arrived damaged")
    path.chmod(0o440)
    if evict:
        cache_evict()
    return path


def blob_put(path: Path, *, sha256: str | None = None, keep: bool = False) -> str:
    """Upload the file at ``path`` unless the store has its blob already; its hash. With ``keep`` the
    file itself moves into the cache (after the upload, so a cached blob is always a stored one)."""
    sha = sha256 or file_sha256(path)
    cached = cached_path(sha)
    store = remote.remote()
    if store is not None and not cached.is_file() and not remote.exists(store, blob_name(sha)):
        remote.put_file(store, blob_name(sha), path)
    if keep:  # same bytes, same name: a concurrent keeper of the same blob changes nothing
        cached.parent.mkdir(parents=True, exist_ok=True)
        path.chmod(0o440)
        os.replace(path, cached)
        cache_evict()
    return sha


def blob_keep(path: Path, sha256: str) -> None:
    """Keep a stored file's contents in the cache (a link to it: the file itself may go next)."""
    cached = cached_path(sha256)
    if cached.is_file():
        return
    cached.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.link(path, cached)


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):  # read-only on this host: its age stays what it was
        os.utime(path, (time.time(), time.time()))


def cache_evict(cap: int | None = None) -> int:
    """Delete the least recently used blobs until the cache is within ``cap`` bytes (default:
    ``BOUNTY_CACHE_MAX_BYTES``); blobs still linked from a pulled folder are kept. Bytes freed."""
    limit = int(settings.BOUNTY_CACHE_MAX_BYTES if cap is None else cap)
    entries = []
    for path in cache_root().glob("??/*"):
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        entries.append((info.st_mtime, info.st_size, info.st_nlink, path))
    total = sum(size for _, size, _, _ in entries)
    freed = 0
    for _, size, links, path in sorted(entries, key=lambda e: e[0]):
        if total - freed <= limit:
            break
        if links > 1:
            continue
        path.unlink(missing_ok=True)
        freed += size
    if total - freed > limit:
        log.warning(
            "the blob cache holds %s bytes, over its cap of %s, in files still in use", total - freed, limit
        )
    return freed
