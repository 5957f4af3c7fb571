"""ONNX, the second safe model format: checked statically, run with onnxruntime from bytes.

Modules: ``ops`` (the operator allowlist), ``check`` (static refusals), ``signature`` (inputs, outputs,
classes; ZipMap removal), ``feeds`` (the input conventions: frame columns to tensors), ``container``
(the upload: model plus its own train-split predictions), ``parity`` (comparing those with what
onnxruntime predicts) and ``runtime`` (the session and the ``OnnxModel`` wrapper). Importing this
package imports onnxruntime (with its telemetry off); ``scoring.safe_load`` imports it only when it
meets an ONNX file.
"""

from scoring.safe_load.onnx_format.check import DEFAULT_MAX_NODES, check_onnx
from scoring.safe_load.onnx_format.container import (
    MODEL_NAME,
    PARITY_NAMES,
    Container,
    read_container,
    write_container,
)
from scoring.safe_load.onnx_format.ops import ONNX_OPERATORS
from scoring.safe_load.onnx_format.parity import (
    check_label_parity,
    check_parity,
    disagreements,
    expected_predictions,
)
from scoring.safe_load.onnx_format.runtime import OnnxModel, load_onnx, new_session
from scoring.safe_load.onnx_format.signature import InputSpec, Signature, read_signature

__all__ = [
    "DEFAULT_MAX_NODES",
    "MODEL_NAME",
    "ONNX_OPERATORS",
    "PARITY_NAMES",
    "Container",
    "InputSpec",
    "OnnxModel",
    "Signature",
    "check_label_parity",
    "check_onnx",
    "check_parity",
    "disagreements",
    "expected_predictions",
    "load_onnx",
    "new_session",
    "read_container",
    "read_signature",
    "write_container",
]
