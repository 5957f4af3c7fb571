"""skops files: a zip archive with ``schema.json``, loaded by skops trusting only the platform's list.

Loading goes in this order: the archive directory is checked for zip bombs and unsafe paths
(``scoring.safe_load.zipguard``), every node of ``schema.json`` is audited against ``TRUSTED_TYPES``
(``scoring.safe_load.audit``; never the list a file asks for), only then does skops build objects,
with ``trusted`` set to OUR list, and the index arrays of trees and SVMs are checked before anything
calls the model (``scoring.safe_load.structure``). A skops file gives the estimator itself, so there
is nothing to wrap and no parity to check: the model that predicts is the one that was fitted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scoring.errors import EngineError, Reason
from scoring.formats.base import ModelFormat

if TYPE_CHECKING:
    import pandas as pd

    from scoring.schema import Schema

SCHEMA_MEMBER = "schema.json"


def _refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def recognizes(data: bytes, members: frozenset[str] | None) -> bool:
    """A zip archive with ``schema.json`` at the top level."""
    return members is not None and SCHEMA_MEMBER in members


def _audited(data: bytes, max_uncompressed: int) -> tuple[str, ...]:
    from scoring.safe_load.audit import audit_schema, read_schema
    from scoring.safe_load.zipguard import check_archive

    check_archive(data, max_uncompressed=max_uncompressed)
    return audit_schema(read_schema(data))


def audit(data: bytes, *, max_uncompressed: int) -> None:
    """The archive's directory and every node of ``schema.json`` (a file asking for
    ``subprocess.Popen`` is refused here, before skops reads anything)."""
    _audited(data, max_uncompressed)


def load(data: bytes, *, max_bytes: int, max_uncompressed: int) -> Any:
    """The estimator, built by skops from the audited types only, its index arrays checked."""
    from scoring.safe_load.structure import check_structure

    model = _skops_loads(data, list(_audited(data, max_uncompressed)))
    check_structure(model)
    return model


def _skops_loads(data: bytes, trusted: list[str]) -> Any:
    import skops.io

    try:
        return skops.io.loads(data, trusted=trusted)
    except RecursionError as exc:
        raise _refuse("The model file is nested too deeply to load.") from exc
    except MemoryError as exc:
        raise _refuse("The model file needs too much memory to load.") from exc
    except Exception as exc:  # skops/numpy/sklearn raise many types on malformed input
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise _refuse(f"The skops file could not be loaded: {type(exc).__name__}: {detail}") from exc


def wraps(model: Any) -> bool:
    """Never: a skops file gives the estimator itself."""
    return False


def warm_up() -> None:
    """Import skops and the module of every type the allowlist trusts (a sandboxed child cannot
    open a module file), walking up to the nearest importable parent of an optional one."""
    import importlib

    import skops.io  # noqa: F401

    from scoring.safe_load.trusted import CONDITIONAL_TYPES, TRUSTED_TYPES

    for dotted in TRUSTED_TYPES + CONDITIONAL_TYPES:
        module = dotted.rpartition(".")[0]
        while module:
            try:
                importlib.import_module(module)
                break
            except ImportError:
                module = module.rpartition(".")[0]


def export(estimator: Any, *, train: pd.DataFrame | None = None, schema: Schema | None = None) -> bytes:
    """The skops serialization of a fitted estimator (``train`` and ``schema`` are not needed)."""
    import skops.io

    return bytes(skops.io.dumps(estimator))


FORMAT = ModelFormat(
    name="skops",
    display_name="skops",
    extension=".skops",
    content_type="application/zip",
    looks_like=f"a skops file is a zip archive with {SCHEMA_MEMBER} at the top",
    recognizes=recognizes,
    audit=audit,
    load=load,
    wraps=wraps,
    parity=None,
    warm_up=warm_up,
    export=export,
)
