"""What a model format is: the parts every caller asks of it, in one frozen record.

A format's module builds one ``ModelFormat`` and the registry (``scoring.formats.registry``) lists it.
Callers never name a format: they sniff the bytes (``scoring.formats.sniff``) or ``get`` one by name,
then call its parts. Parts import the format's machinery only when they run, so importing the
registry imports no model library (no onnxruntime in a process that never meets ONNX).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from scoring.safe_load.predictions import Output
    from scoring.schema import Schema

DEFAULT_MAX_BYTES = 100 * 2**20  # the largest model file any format takes
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"


class Recognizes(Protocol):
    def __call__(self, data: bytes, members: frozenset[str] | None) -> bool:
        """Whether ``data`` is a file of this format. ``members``: the member names when ``data`` is
        a zip archive (already opened by the sniffer), else None. Looks only, never parses."""


class Audit(Protocol):
    def __call__(self, data: bytes, *, max_uncompressed: int) -> None:
        """Every refusal possible without building anything (safe outside the sandbox)."""


class Load(Protocol):
    def __call__(self, data: bytes, *, max_bytes: int, max_uncompressed: int) -> Any:
        """The model, with ``predict`` (and ``predict_proba``, ``classes_`` where it has them), built
        without running anything the file asks for; ``EngineError(INVALID_MODEL)`` on refusal."""


class Parity(Protocol):
    def __call__(
        self,
        model: Any,
        output: Output,
        classes: tuple[str, ...],
        canonical: Callable[[Output], np.ndarray],
    ) -> None:
        """Refuse ``model`` unless its canonical predictions on the public train split
        (``canonical(kind)``) match what its upload says they are."""


class Export(Protocol):
    def __call__(self, estimator: Any, *, train: pd.DataFrame | None, schema: Schema | None) -> bytes:
        """A file of this format for a fitted estimator (``train``: the public train split and
        ``schema`` for formats that need them)."""


@dataclass(frozen=True)
class ModelFormat:
    """One model format and how each caller deals with it."""

    name: str  # the label callers pass and store ("skops"): lower case, stable
    display_name: str  # for people ("ONNX")
    extension: str  # of a saved file (".skops", ".onnx.zip")
    content_type: str  # of a saved file
    looks_like: str  # what its files are, for refusals ("a skops file (a zip with schema.json inside)")
    recognizes: Recognizes  # the sniffer asks each format in registry order
    audit: Audit  # at upload, where no sandbox is
    load: Load  # in the sandboxed child (or a participant's own process)
    wraps: Callable[[Any], bool]  # whether a loaded object is this format's own wrapper
    parity: Parity | None  # None: the format has no parity check
    warm_up: Callable[[], None]  # in the sandbox's zygote: import and exercise what a child needs
    export: Export

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.lower() or not self.extension.startswith("."):
            raise ValueError(f"a model format needs a lower-case name and a dotted extension: {self!r}")
