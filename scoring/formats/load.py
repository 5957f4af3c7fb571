"""Load a participant's model file without executing anything it asks for, whatever its format.

The bytes decide the format (``scoring.formats.sniff``: pickles and every other unknown kind are
refused there), and the format's own ``load`` makes its checks before it builds anything (for
skops: the archive, every node of ``schema.json`` against our allowlist, then the index arrays;
for ONNX: the static checks of the graph, then an onnxruntime session from the bytes). A format's
machinery is imported when its file is first met, so processes that never meet an ONNX file never
import onnxruntime.
"""

from __future__ import annotations

from typing import Any

from scoring.formats import sniff as sniffing
from scoring.formats.base import DEFAULT_MAX_BYTES
from scoring.safe_load import npyheader
from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED

npyheader.install()  # the same headers as numpy's parser, without compiling each one


def load_model(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> Any:
    """Load a model file of any registered format; raise ``EngineError(INVALID_MODEL)`` on any refusal.

    Never unpickles, never trusts the types a file asks for, and never lets a reader open an archive
    that could inflate past ``max_uncompressed`` bytes. An ONNX file gives an ``OnnxModel``
    (``predict``, ``predict_proba``, ``classes_``).
    """
    model_format = sniffing.sniff(data, max_bytes=max_bytes)
    return model_format.load(bytes(data), max_bytes=max_bytes, max_uncompressed=max_uncompressed)


def check_file(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> str:
    """The format of a model file (``"skops"``, ``"onnx"``) after every check its format can make
    before it builds anything (``ModelFormat.audit``: for a skops file, the archive and every node of
    ``schema.json``; a file asking for ``subprocess.Popen`` is refused here). Nothing is loaded, so it
    is safe where no sandbox is (the upload's request); raises ``EngineError(INVALID_MODEL)``."""
    model_format = sniffing.sniff(data, max_bytes=max_bytes)
    model_format.audit(bytes(data), max_uncompressed=max_uncompressed)
    return model_format.name
