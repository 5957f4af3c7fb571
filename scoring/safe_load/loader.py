"""Load a participant's model file (skops or ONNX) without executing anything it asks for.

Order matters: identify the bytes, check the archive directory (zip bombs, paths), audit every node
of ``schema.json`` against our allowlist, and only then let skops build objects, with ``trusted``
set to OUR list. Finally check the index arrays of the loaded model. ONNX files go to
``onnx_format.load_onnx`` (static checks, then an onnxruntime session built from the bytes), imported
only then, so processes that never meet an ONNX file never import onnxruntime.
"""

from __future__ import annotations

from typing import Any

import skops.io

from scoring.errors import EngineError, Reason
from scoring.safe_load import npyheader
from scoring.safe_load.audit import audit_schema, read_schema
from scoring.safe_load.sniff import DEFAULT_MAX_BYTES, sniff_format
from scoring.safe_load.structure import check_structure
from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED, check_archive

npyheader.install()  # the same headers as numpy's parser, without compiling each one


def _refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def _skops_loads(data: bytes, trusted: list[str]) -> Any:
    try:
        return skops.io.loads(data, trusted=trusted)
    except RecursionError as exc:
        raise _refuse("The model file is nested too deeply to load.") from exc
    except MemoryError as exc:
        raise _refuse("The model file needs too much memory to load.") from exc
    except Exception as exc:  # skops/numpy/sklearn raise many types on malformed input
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise _refuse(f"The skops file could not be loaded: {type(exc).__name__}: {detail}") from exc


def load_model(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> Any:
    """Load a skops or ONNX model file; raise ``EngineError(INVALID_MODEL)`` on any refusal.

    Never unpickles, never trusts the types a file asks for, and never lets skops read an archive
    that could inflate past ``max_uncompressed`` bytes. An ONNX file gives an
    ``onnx_format.OnnxModel`` (``predict``, ``predict_proba``, ``classes_``).
    """
    fmt = sniff_format(data, max_bytes=max_bytes)
    data = bytes(data)
    if fmt == "onnx":
        from scoring.safe_load.onnx_format import load_onnx

        return load_onnx(data, max_bytes=max_bytes, max_uncompressed=max_uncompressed)
    model = _skops_loads(data, list(_audited(data, max_uncompressed)))
    check_structure(model)
    return model


def _audited(data: bytes, max_uncompressed: int) -> tuple[str, ...]:
    check_archive(data, max_uncompressed=max_uncompressed)
    return audit_schema(read_schema(data))


def check_file(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> str:
    """The format of a model file (``"skops"`` or ``"onnx"``) after every check ``load_model`` makes
    before it builds anything: the bytes are sniffed and, for a skops file, the archive and every
    node of ``schema.json`` are audited (a file asking for ``subprocess.Popen`` is refused here).
    Nothing is loaded, so it is safe where no sandbox is (the upload's request); raises
    ``EngineError(INVALID_MODEL)``."""
    fmt = sniff_format(data, max_bytes=max_bytes)
    if fmt == "skops":
        _audited(bytes(data), max_uncompressed)
    return fmt


def _callable_attr(model: Any, name: str) -> bool:
    try:
        return callable(getattr(model, name, None))
    except Exception:  # sklearn's available_if may raise while deciding
        return False


def check_capabilities(model: Any, *, needs_proba: bool) -> None:
    """Refuse a loaded object that cannot ``predict`` (or ``predict_proba`` when needed)."""
    kind = type(model).__name__
    if not _callable_attr(model, "predict"):
        raise _refuse(f"The uploaded object ({kind}) has no predict method; upload a fitted model.")
    if needs_proba and not _callable_attr(model, "predict_proba"):
        raise _refuse(
            f"The uploaded model ({kind}) has no predict_proba method, which this competition "
            "needs (e.g. fit SVC with probability=True)."
        )
