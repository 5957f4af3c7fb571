"""The shared object store: Django's storage ``bounty`` when the settings define one, else nothing.

With ``BOUNTY_S3_BUCKET`` set it is django-storages' ``S3Storage`` (AWS S3, MinIO, Ceph, any server with
the S3 API); ``BOUNTY_STORE_DIR`` makes it a ``FileSystemStorage`` folder (one host, or a network disk).
Without either, every process works on ``BOUNTY_DATA_DIR`` directly and nothing here is called.

Object names (nothing is under a URL; the bucket must be private: it holds the hidden splits)::

    blobs/<sha256>                     file contents, by hash: models, split frames, list patches
    folders/<name>/index.json          what a folder holds (path -> hash), written after its blobs
    shards/<submission>-<claim>/<i>    a shard's result, and <i>.working, touched while it runs

Large files go through boto3's managed transfers (multipart, parallel) when the store is S3.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages

CHUNK = 8 * 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


def remote() -> Storage | None:
    """The shared store, or None when this deployment keeps every file in ``BOUNTY_DATA_DIR``."""
    return storages["bounty"] if "bounty" in settings.STORAGES else None


def _absent(exc: Exception) -> bool:
    """Whether an S3 error says the object is not there (anything else is the store failing)."""
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING


def _bucket_key(store: Storage, name: str) -> tuple[Any, str] | None:
    """(boto3 bucket, key) when ``store`` is S3, for managed transfers; None otherwise."""
    bucket = getattr(store, "bucket", None)
    if bucket is None:
        return None
    location = str(getattr(store, "location", "") or "").strip("/")
    return bucket, f"{location}/{name}" if location else name


def put_file(store: Storage, name: str, path: Path) -> None:
    """Upload the file at ``path`` as ``name`` (replacing it)."""
    s3 = _bucket_key(store, name)
    if s3 is not None:
        s3[0].upload_file(str(path), s3[1])
        return
    with path.open("rb") as handle:
        _save(store, name, File(handle))


def put_bytes(store: Storage, name: str, data: bytes) -> None:
    s3 = _bucket_key(store, name)
    if s3 is not None:
        s3[0].put_object(Key=s3[1], Body=data)
        return
    _save(store, name, ContentFile(data))


def _save(store: Storage, name: str, content: File) -> None:
    saved = store.save(name, content)
    if saved != name:  # a store that keeps both copies under new names would break every reader
        store.delete(saved)
        raise RuntimeError(f"the store renamed {name!r}: set allow_overwrite (or file_overwrite)")


def get_file(store: Storage, name: str, target: Path) -> bool:
    """Download ``name`` to ``target`` (written whole, then renamed into place); False if it is absent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    tmp = Path(tmp_name)
    try:
        os.close(fd)
        if not _download(store, name, tmp):
            return False
        os.replace(tmp, target)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _download(store: Storage, name: str, tmp: Path) -> bool:
    s3 = _bucket_key(store, name)
    if s3 is not None:
        try:
            s3[0].download_file(s3[1], str(tmp))
        except Exception as exc:
            if _absent(exc):
                return False
            raise
        return True
    try:
        with store.open(name, "rb") as source, tmp.open("wb") as sink:
            shutil.copyfileobj(source, sink, CHUNK)
    except FileNotFoundError:
        return False
    return True


def get_bytes(store: Storage, name: str) -> bytes | None:
    s3 = _bucket_key(store, name)
    if s3 is not None:
        try:
            return bytes(s3[0].Object(s3[1]).get()["Body"].read())
        except Exception as exc:
            if _absent(exc):
                return None
            raise
    try:
        with store.open(name, "rb") as handle:
            return bytes(handle.read())
    except FileNotFoundError:
        return None


def exists(store: Storage, name: str) -> bool:
    return bool(store.exists(name))


def modified(store: Storage, name: str) -> float | None:
    """When ``name`` was last written (seconds since the epoch, the store's clock), None if absent."""
    try:
        return float(store.get_modified_time(name).timestamp())
    except FileNotFoundError:
        return None
    except Exception as exc:
        if _absent(exc):
            return None
        raise


def delete_prefix(store: Storage, prefix: str) -> None:
    """Delete every object whose name starts with ``prefix`` (``folders/x/`` is a folder; ``shards/12-``
    every folder whose name starts so)."""
    s3 = _bucket_key(store, prefix)
    if s3 is not None:
        s3[0].objects.filter(Prefix=s3[1]).delete()
        return
    parent, _, start = prefix.rpartition("/")
    folders, files = listdir(store, parent)
    for name in files:
        if name.startswith(start):
            store.delete(f"{parent}/{name}")
    for folder in folders:
        if folder.startswith(start):
            delete_prefix(store, f"{parent}/{folder}/")


def listdir(store: Storage, prefix: str) -> tuple[list[str], list[str]]:
    try:
        folders, files = store.listdir(prefix)
    except FileNotFoundError:
        return [], []
    return list(folders), list(files)


def ready(store: Storage) -> None:
    """Raise unless the store answers (the readiness probe): one listing of the shard folder."""
    s3 = _bucket_key(store, "")
    if s3 is not None:
        s3[0].meta.client.head_bucket(Bucket=s3[0].name)
        return
    store.listdir("")  # raises when the folder is gone


def readable_by_anyone(store: Storage) -> bool:
    """Whether an object of the store can be read with no credentials (a public bucket): writes a probe
    object and asks for it unsigned. Only S3 stores are asked; a folder store answers False."""
    s3 = _bucket_key(store, "probes/private-check")
    if s3 is None:
        return False
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import ClientError

    bucket, key = s3
    bucket.put_object(Key=key, Body=b"this object must not be readable without credentials")
    client = bucket.meta.client
    anonymous = boto3_client(
        client.meta.endpoint_url, client.meta.region_name, Config(signature_version=UNSIGNED)
    )
    try:
        anonymous.get_object(Bucket=bucket.name, Key=key)
    except ClientError:
        return False
    return True


def boto3_client(endpoint: str, region: str, config: Any) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name=region, config=config)
