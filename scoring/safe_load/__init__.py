"""Loading untrusted model files without executing them.

skops files and ONNX models are accepted. ``load_model`` identifies the bytes (``sniff_format``).
A skops file: it checks the archive for zip bombs and unsafe paths, audits every node of
``schema.json`` against the fixed allowlist ``TRUSTED_TYPES`` (never the list a file asks for), loads
with skops using that list, and checks the index arrays of trees and SVMs before anything calls the
model. An ONNX file: ``onnx_format`` checks it statically (operator allowlist, no external data, no
subgraphs or functions) and wraps an onnxruntime session in an estimator-like ``OnnxModel``.
``validate_predictions`` turns a model's raw output into the engine's canonical arrays.
"""

from scoring.safe_load.loader import check_capabilities, check_file, load_model
from scoring.safe_load.predictions import to_plain_array, validate_predictions
from scoring.safe_load.sniff import DEFAULT_MAX_BYTES, sniff_format
from scoring.safe_load.trusted import TRUSTED_TYPES
from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_UNCOMPRESSED",
    "TRUSTED_TYPES",
    "check_capabilities",
    "check_file",
    "load_model",
    "sniff_format",
    "to_plain_array",
    "validate_predictions",
]
