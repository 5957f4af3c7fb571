"""Loading untrusted model files without executing them, and the safety checks the formats share.

Loading itself is the formats' (``scoring.formats.load_model``, ``check_file``); the checks here are
what those formats are made of: ``zipguard``
(zip bombs and unsafe paths, from an archive's directory alone), ``audit`` (every node of a skops
``schema.json`` against the fixed allowlist ``TRUSTED_TYPES``, never the list a file asks for),
``structure`` (the index arrays of trees and SVMs), ``npyheader`` (``.npy`` headers without ``eval``),
``predictions`` (``validate_predictions``: a model's raw output as the engine's canonical arrays)
and ``canonical`` (``predict``: a loaded model's canonical predictions; ``check_capabilities``).
"""

from scoring.safe_load.canonical import check_capabilities, predict
from scoring.safe_load.predictions import to_plain_array, validate_predictions
from scoring.safe_load.trusted import TRUSTED_TYPES
from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED

__all__ = [
    "DEFAULT_MAX_UNCOMPRESSED",
    "TRUSTED_TYPES",
    "check_capabilities",
    "predict",
    "to_plain_array",
    "validate_predictions",
]
