"""Running a checked ONNX model with onnxruntime behind the estimator interface the engine uses.

``load_onnx`` takes an ONNX upload (``container``) or a bare ONNX model, checks it (``check``), reads
its signature and builds an ``onnxruntime.InferenceSession`` from the model's BYTES (never a path),
with telemetry off, one thread for each of its pools (no pool threads at all: like OpenMP pools they
would not survive ``fork``, and the sandboxed child gets a CPU budget, not cores), graph
optimisations on and only the CPU execution provider. The result, ``OnnxModel``, has ``predict``,
``predict_proba`` (only with a probability output) and ``classes_`` like a scikit-learn classifier,
so the sandbox child runs ONNX and skops models down one path.

onnxruntime 1.2x starts a telemetry thread and opens a database under the home directory when it is
imported unless ``ORT_DISABLE_TELEMETRY`` is set, so this module sets it before importing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # before the import below (see the module docstring)

import numpy as np
import onnxruntime as ort
import pandas as pd

from scoring.errors import EngineError, Reason
from scoring.formats.base import DEFAULT_MAX_BYTES, ZIP_MAGIC
from scoring.formats.onnx.check import DEFAULT_MAX_NODES, check_onnx, refuse
from scoring.formats.onnx.container import read_container
from scoring.formats.onnx.feeds import build_feeds
from scoring.formats.onnx.signature import Signature, read_signature
from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED

THREADS = 1
PROVIDERS = ("CPUExecutionProvider",)


def session_options() -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = THREADS
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only (converters declare some shapes loosely)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def new_session(model: bytes) -> ort.InferenceSession:
    """An inference session on the CPU for the model serialized in ``model``."""
    disable = getattr(ort, "disable_telemetry_events", None)
    if callable(disable):
        disable()
    try:
        return ort.InferenceSession(model, sess_options=session_options(), providers=list(PROVIDERS))
    except Exception as exc:  # onnxruntime's Fail, InvalidGraph, NotImplemented, ...
        raise refuse(f"onnxruntime could not load the ONNX model: {_first_line(exc)}") from exc


class OnnxModel:
    """An ONNX model with the estimator interface: ``predict(frame)``, ``predict_proba(frame)``,
    ``classes_``. ``parity`` holds the upload's own train-split predictions by output kind."""

    def __init__(self, session: ort.InferenceSession, signature: Signature, parity: dict[str, np.ndarray]):
        self.session = session
        self.signature = signature
        self.parity = parity

    @property
    def classes_(self) -> np.ndarray:
        if self.signature.classes is None:
            raise AttributeError("this ONNX model does not name its classes")
        return self.signature.classes

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        raw = self._run(self.signature.predict_output, X)
        if raw.ndim == 2 and raw.shape[1] == 1:
            raw = raw[:, 0]
        return raw.astype(np.float64) if raw.dtype.kind == "f" else raw

    @property
    def predict_proba(self) -> Callable[[pd.DataFrame], np.ndarray]:
        if self.signature.proba_output is None:
            raise AttributeError("this ONNX model gives no probabilities")
        return self._probabilities

    def _probabilities(self, X: pd.DataFrame) -> np.ndarray:
        if self.signature.classes is None:
            raise refuse(
                "The ONNX model does not say which class each probability column is for: keep the "
                "ZipMap, or add the metadata entry 'classes' (a JSON list)."
            )
        assert self.signature.proba_output is not None
        return self._run(self.signature.proba_output, X).astype(np.float64)

    def _run(self, output: str, X: pd.DataFrame) -> np.ndarray:
        if not isinstance(X, pd.DataFrame):
            raise EngineError(Reason.PREDICTION_ERROR, "An ONNX model predicts on a data frame.")
        feeds = build_feeds(self.signature.inputs, X)
        try:
            result = self.session.run([output], feeds)[0]
        except Exception as exc:  # onnxruntime's RuntimeException, InvalidArgument, ...
            message = f"onnxruntime failed while predicting: {_first_line(exc)}"
            raise EngineError(Reason.PREDICTION_ERROR, message) from exc
        if not isinstance(result, np.ndarray):
            raise EngineError(Reason.PREDICTION_ERROR, "The ONNX model's output is not a tensor.")
        return result


def load_onnx(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> OnnxModel:
    """Check and load an ONNX upload (zip) or a bare ONNX model; ``EngineError(INVALID_MODEL)``."""
    parity: dict[str, np.ndarray] = {}
    if data.startswith(ZIP_MAGIC):
        container = read_container(data, max_uncompressed=max_uncompressed)
        data, parity = container.model, container.parity
    proto = check_onnx(data, max_bytes=max_bytes, max_nodes=max_nodes)
    signature = read_signature(proto)
    return OnnxModel(new_session(proto.SerializeToString()), signature, parity)


def _first_line(exc: Any) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
