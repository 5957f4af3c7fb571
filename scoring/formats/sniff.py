"""Identify a model file by its bytes (never its name) and refuse every format we do not load.

The refusals come first: empty or oversized files, pickle-based formats (pickle, joblib, dill,
compressed pickles, zips of pickles) are refused without being unpickled: we only look at their first
bytes, or at the first few decompressed bytes of a compressed stream. Then each registered format is
asked in turn whether the bytes are its own (``ModelFormat.recognizes``; for a zip archive it is
given the member names), and the first that says yes is the file's format.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zipfile
import zlib

from scoring.errors import EngineError, Reason
from scoring.formats import registry
from scoring.formats.base import DEFAULT_MAX_BYTES, EMPTY_ZIP_MAGIC, ZIP_MAGIC, ModelFormat

_PEEK = 64  # decompressed bytes we look at inside a compressed stream
# First bytes of protocol 0/1 pickles: MARK, GLOBAL, EMPTY_{LIST,DICT,TUPLE}, NONE, INT, ...
_OLD_PICKLE_STARTS = frozenset(b"(c]})NIJKLFSVUGXTB")
_SAVE_AS_SKOPS = (
    "Save the model with skops.io.dump and upload the .skops file, or export it to ONNX "
    "(see docs/model-formats.md)."
)


def _refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def _is_pickle(data: bytes, *, whole: bool = True) -> bool:
    """Pickle opcodes at the start (and, for a whole protocol 0/1 file, STOP at the end)."""
    if len(data) >= 2 and data[0] == 0x80 and data[1] <= 5:
        return True
    if not data or data[0] not in _OLD_PICKLE_STARTS:
        return False
    return not whole or data.rstrip().endswith(b".")


def _pickle_kind(data: bytes) -> str:
    if b"dill._dill" in data or b"\x8c\x04dill" in data:
        return "a dill file (a pickle)"
    if b"joblib" in data or b"NumpyArrayWrapper" in data:
        return "a joblib file (a pickle)"
    if data[:1] == b"\x80":
        return f"a pickle file (pickle protocol {data[1]})"
    return "a pickle file"


def _peek_decompressed(data: bytes, kind: str) -> bytes:
    """The first few bytes of a compressed stream, bounded whatever the input."""
    head = data[: 1 << 16]
    try:
        if kind == "gzip":
            return zlib.decompressobj(wbits=31).decompress(head, _PEEK)
        if kind == "zlib":
            return zlib.decompressobj().decompress(head, _PEEK)
        if kind == "bz2":
            return bz2.BZ2Decompressor().decompress(head, max_length=_PEEK)
        return lzma.LZMADecompressor().decompress(head, max_length=_PEEK)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
        return b""


def _compression(data: bytes) -> str | None:
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith(b"BZh"):
        return "bz2"
    if data.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if data.startswith(b"\x5d\x00\x00"):
        return "lzma"
    if len(data) >= 2 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0:
        return "zlib"
    return None


def _refuse_compressed(data: bytes, kind: str) -> EngineError:
    inner = _peek_decompressed(data, kind)
    if _is_pickle(inner, whole=False):
        return _refuse(
            f"This looks like a {kind}-compressed joblib/pickle file. Pickle-based formats can run "
            f"code when loaded, so this server does not load them. {_SAVE_AS_SKOPS}"
        )
    return _refuse(f"This is a {kind}-compressed file, not a model file. {_SAVE_AS_SKOPS}")


def _recognized(data: bytes, members: frozenset[str] | None) -> ModelFormat | None:
    return next((f for f in registry.REGISTRY if f.recognizes(data, members)), None)


def _check_zip(data: bytes) -> ModelFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = frozenset(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _refuse("The file starts like a zip archive but is not a valid one.") from exc
    found = _recognized(data, names)
    if found is not None:
        return found
    if any(name.endswith((".pkl", ".pickle")) for name in names):
        raise _refuse(
            "This zip archive holds pickle data (as PyTorch or zipped joblib files do); "
            f"this server does not load pickles. {_SAVE_AS_SKOPS}"
        )
    kinds = "; ".join(f.looks_like for f in registry.REGISTRY)
    raise _refuse(
        f"This zip archive is none of the model files this server takes ({kinds}). {_SAVE_AS_SKOPS}"
    )


def _names() -> str:
    return " or ".join(f.display_name for f in registry.REGISTRY)


def _refuse_unknown(data: bytes) -> EngineError:
    if data.startswith(b"\x93NUMPY"):
        return _refuse(f"This is a NumPy array file, not a model. {_SAVE_AS_SKOPS}")
    if data.startswith(b"\x89HDF\r\n\x1a\n"):
        return _refuse(f"This is an HDF5 file (e.g. Keras), not a {_names()} file. {_SAVE_AS_SKOPS}")
    return _refuse(f"Unrecognised model file format. {_SAVE_AS_SKOPS}")


def sniff(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ModelFormat:
    """The registered format of the file ``data``; ``EngineError(INVALID_MODEL)`` naming what the
    file is when it is none of them (or a refused kind, such as a pickle)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _refuse("The model file must be given as bytes.")
    data = bytes(data)
    if not data:
        raise _refuse("The model file is empty.")
    if len(data) > max_bytes:
        raise _refuse(f"The model file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    if data.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return _check_zip(data)
    if _is_pickle(data):
        raise _refuse(
            f"This is {_pickle_kind(data)}. Pickle-based formats can run arbitrary code when "
            f"loaded, so this server never loads them. {_SAVE_AS_SKOPS}"
        )
    kind = _compression(data)
    if kind is not None:
        raise _refuse_compressed(data, kind)
    if data.startswith((b"ZF", b"\x04\x22\x4d\x18")):
        raise _refuse(
            f"This looks like a compressed joblib file; joblib files are pickles and this server "
            f"does not load them. {_SAVE_AS_SKOPS}"
        )
    found = _recognized(data, None)
    if found is None:
        raise _refuse_unknown(data)
    return found


def checks_parity(data: bytes) -> bool:
    """Whether the file's format has a parity check (so the sandbox's child needs the public train
    split); False for a file of no format, which the child refuses with its own words."""
    try:
        return sniff(data, max_bytes=len(data) + 1).parity is not None
    except EngineError:
        return False


def format_name(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The name of ``data``'s format (``"skops"``, ``"onnx"``); refusals as ``sniff``."""
    return sniff(data, max_bytes=max_bytes).name
