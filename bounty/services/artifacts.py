from __future__ import annotations

from django.conf import settings
from django.core.files import File

from bounty.storage import artifact_write


def artifact_store(*, upload: File, field: str, max_bytes: int | None = None) -> str:
    """Store an uploaded file under ``artifacts/`` by its sha256 and return the digest."""
    limit = max_bytes if max_bytes is not None else settings.BOUNTY_MAX_MODEL_BYTES
    return artifact_write(upload.chunks(), max_bytes=limit, field=field)


def artifact_format(*, upload: File) -> str:
    """A short label for the file's format, from its name (the engine sniffs the bytes)."""
    name = (upload.name or "").rsplit("/", 1)[-1]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix[:16] if suffix.isalnum() else "bin"
