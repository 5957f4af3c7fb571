from __future__ import annotations

from django.conf import settings
from django.core.files import File

from bounty.engine_adapter import model_format_check
from bounty.storage import artifact_write
from scoring import formats
from scoring.errors import EngineError


def artifact_store(*, upload: File, field: str, max_bytes: int | None = None) -> str:
    """Store an uploaded file under ``artifacts/`` by its sha256 and return the digest."""
    limit = max_bytes if max_bytes is not None else settings.BOUNTY_MAX_MODEL_BYTES
    return artifact_write(upload.chunks(), max_bytes=limit, field=field)


def artifact_format(*, upload: File) -> str:
    """The name of the file's model format (``"skops"``, ``"onnx"``), from its bytes as the engine
    sniffs them, never from the file's name; ``"unknown"`` for a file of no registered format."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        return formats.sniff(data, max_bytes=len(data) + 1).name
    except EngineError:
        return "unknown"


def artifact_check(*, upload: File, field: str) -> File:
    """Refuse an uploaded model file the engine would never load (``invalid_model`` with the exact
    cause: a pickle, a joblib file, random bytes, a skops file asking for untrusted types), from its
    bytes, before it is stored or costs anything. Every entry point (the web form, the API and so the
    CLI) calls this. Files over the size cap are left to ``artifact_store``, which answers 413."""
    if upload.size is not None and upload.size > settings.BOUNTY_MAX_MODEL_BYTES:
        return upload
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    model_format_check(data=data, field=field)
    return upload
