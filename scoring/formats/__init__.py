"""The model formats the platform takes, one module each, and the registry every caller asks.

``skops`` (``scoring.formats.skops``) and ``onnx`` (the package ``scoring.formats.onnx``) each build a
``ModelFormat`` (``base``): how to recognise its bytes, audit and load them safely, check parity,
warm up the sandbox and export a fitted estimator, with its file extension, content type and name.
``registry`` lists them; ``sniff`` finds a file's format from its bytes after refusing every kind of
file the platform never loads (pickles above all); ``load`` loads or checks a file of any of them.
See docs/model-formats.md, "Adding a format".
"""

from scoring.formats.base import DEFAULT_MAX_BYTES, ModelFormat
from scoring.formats.load import check_file, load_model
from scoring.formats.registry import REGISTRY, get, names, of_model
from scoring.formats.sniff import checks_parity, format_name, sniff

__all__ = [
    "DEFAULT_MAX_BYTES",
    "REGISTRY",
    "ModelFormat",
    "check_file",
    "checks_parity",
    "format_name",
    "get",
    "load_model",
    "names",
    "of_model",
    "sniff",
]
