"""ONNX, checked statically and run with onnxruntime from bytes: the format's ``FORMAT``.

Modules: ``ops`` (the operator allowlist), ``check`` (static refusals), ``signature`` (inputs, outputs,
classes; ZipMap removal), ``feeds`` (the input conventions: frame columns to tensors), ``container``
(the upload: model plus its own train-split predictions), ``parity`` (comparing those with what
onnxruntime predicts), ``runtime`` (the session and the ``OnnxModel`` wrapper), ``export`` (converting
a fitted estimator with skl2onnx) and ``sample`` (a tiny classifier for the warm-up and the tests).

This module imports none of them, nor onnx or onnxruntime: each part of ``FORMAT`` imports what it
uses when it runs. So a process that never meets an ONNX file never imports onnxruntime, and a
participant's client without the ``onnx`` extra still sniffs, loads and checks skops files.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Any

from scoring.errors import EngineError, Reason
from scoring.formats.base import ModelFormat
from scoring.formats.onnx.names import MODEL_NAME

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from scoring.safe_load.predictions import Output
    from scoring.schema import Schema

LIBRARIES = ("onnx", "onnxruntime")
INSTALL = "pip install 'bias-bounty-engine[onnx]'"
_RUNTIME = "scoring.formats.onnx.runtime"


def recognizes(data: bytes, members: frozenset[str] | None) -> bool:
    """An ONNX upload (a zip archive with ``model.onnx``) or a bare ONNX model: a ``ModelProto``
    starts with field 1 (``ir_version``, a varint), tag 0x08, then a small version number. The bytes
    are parsed and checked only when loaded."""
    if members is not None:
        return MODEL_NAME in members
    return len(data) >= 3 and data[0] == 0x08 and 1 <= data[1] <= 0x3F


def audit(data: bytes, *, max_uncompressed: int) -> None:
    """Nothing: every check of an ONNX file (``check``, ``container``) runs where it is loaded, in the
    sandbox, before onnxruntime sees the model."""


def _missing(exc: ModuleNotFoundError) -> bool:
    return (exc.name or "").split(".")[0] in LIBRARIES


def _runtime() -> ModuleType:
    try:
        return importlib.import_module(_RUNTIME)
    except ModuleNotFoundError as exc:
        if not _missing(exc):
            raise
        message = f"This is an ONNX model, and ONNX support is not installed here ({INSTALL})."
        raise EngineError(Reason.INVALID_MODEL, message, field="model") from exc


def load(data: bytes, *, max_bytes: int, max_uncompressed: int) -> Any:
    """An ``OnnxModel``: the upload's static checks, then an onnxruntime session from the bytes."""
    return _runtime().load_onnx(data, max_bytes=max_bytes, max_uncompressed=max_uncompressed)


def wraps(model: Any) -> bool:
    """Whether ``model`` is an ``OnnxModel``. One exists only once ``runtime`` is imported, so asking
    never imports onnxruntime."""
    runtime = sys.modules.get(_RUNTIME)
    return runtime is not None and isinstance(model, runtime.OnnxModel)


def parity(
    model: Any, output: Output, classes: tuple[str, ...], canonical: Callable[[Output], np.ndarray]
) -> None:
    """The upload's own train-split predictions against onnxruntime's (``parity.check_model``)."""
    from scoring.formats.onnx.parity import check_model

    check_model(model, output, classes, canonical)


def installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in LIBRARIES)


def warm_up() -> None:
    """Import onnx's checker and onnxruntime (telemetry off first: it would start a thread and open a
    database), then load a tiny ONNX upload, check its parity and predict labels and probabilities
    through the child's own code. Nothing when ONNX support is not installed."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    if not installed():
        return
    import numpy as np

    from scoring.formats.base import DEFAULT_MAX_BYTES
    from scoring.formats.onnx.parity import check_model
    from scoring.formats.onnx.sample import CLASSES, sample_frame
    from scoring.safe_load.canonical import check_capabilities, predict
    from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED

    importlib.import_module("onnx.checker")
    frame = sample_frame()
    upload = _sample_upload(frame)
    model = load(upload, max_bytes=DEFAULT_MAX_BYTES, max_uncompressed=DEFAULT_MAX_UNCOMPRESSED)
    check_capabilities(model, needs_proba=True)
    everyone = np.ones(len(frame), dtype=bool)
    for output in ("label", "proba"):
        check_model(model, output, CLASSES, partial(predict, model, frame, everyone, classes=CLASSES))
        predict(model, frame, everyone, output, CLASSES)


def _sample_upload(frame: pd.DataFrame) -> bytes:
    """An upload of the sample classifier with its own predictions on ``frame``."""
    import numpy as np

    from scoring.formats.base import DEFAULT_MAX_BYTES
    from scoring.formats.onnx.container import write_container
    from scoring.formats.onnx.sample import tiny_classifier
    from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED

    data = tiny_classifier().SerializeToString()
    bare = load(data, max_bytes=DEFAULT_MAX_BYTES, max_uncompressed=DEFAULT_MAX_UNCOMPRESSED)
    labels = np.asarray(bare.predict(frame), dtype=str)
    return write_container(data, {"label": labels, "proba": bare.predict_proba(frame)})


def export(estimator: Any, *, train: pd.DataFrame | None = None, schema: Schema | None = None) -> bytes:
    """An ONNX upload of ``estimator`` with its parity files, verified with the server's loader and
    parity check (``export.export_onnx``, which takes more options)."""
    if train is None or schema is None:
        raise ValueError("ONNX export needs train= (the public train split) and schema=")
    from scoring.formats.onnx.export import export_onnx

    try:
        return export_onnx(estimator, train, schema)
    except ModuleNotFoundError as exc:
        if not _missing(exc) and (exc.name or "").split(".")[0] != "skl2onnx":
            raise
        raise RuntimeError(f"ONNX export needs skl2onnx, onnx and onnxruntime ({INSTALL})") from exc


FORMAT = ModelFormat(
    name="onnx",
    display_name="ONNX",
    extension=".onnx.zip",
    content_type="application/zip",
    looks_like=f"an ONNX upload is a zip archive with {MODEL_NAME} inside",
    recognizes=recognizes,
    audit=audit,
    load=load,
    wraps=wraps,
    parity=parity,
    warm_up=warm_up,
    export=export,
)
