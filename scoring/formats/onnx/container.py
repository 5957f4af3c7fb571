"""The ONNX upload: a zip archive holding the model and its own predictions on the public train split.

Members (no others; see docs/model-formats.md)::

    model.onnx          the ONNX model
    parity_label.npy    predict() on the public train rows, in file order: a 1-D array of strings,
                        integers or booleans (classification)
    parity_proba.npy    predict_proba() on the same rows: 2-D floats, columns in the model's class order
    parity_value.npy    predict() of a regressor on the same rows: 1-D floats

The server needs the parity file of the competition's output kind. Arrays are ``.npy`` files read
without pickle, with a dtype whitelist and sizes that must match their headers.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from scoring.formats.onnx.check import refuse
from scoring.formats.onnx.names import MODEL_NAME
from scoring.safe_load.zipguard import DEFAULT_MAX_UNCOMPRESSED, _check_directory

PARITY_NAMES = {"label": "parity_label.npy", "proba": "parity_proba.npy", "value": "parity_value.npy"}
MEMBERS = frozenset({MODEL_NAME, *PARITY_NAMES.values()})
MAX_NPY_HEADER = 4096
_KINDS = {"label": "Uiubf", "proba": "f", "value": "fiu"}
_RANKS = {"label": 1, "proba": 2, "value": 1}
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError)
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Container:
    model: bytes
    parity: dict[str, np.ndarray] = field(default_factory=dict)  # by output kind


def read_container(data: bytes, *, max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED) -> Container:
    """The model bytes and parity arrays of an ONNX upload; ``EngineError(INVALID_MODEL)`` otherwise."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            _check_names(names)
            _check_directory(infos, max_uncompressed)
            model = archive.read(MODEL_NAME)
            parity = {
                kind: _array(archive.read(name), kind) for kind, name in PARITY_NAMES.items() if name in names
            }
    except _ZIP_ERRORS as exc:
        raise refuse("The ONNX upload is not a valid zip archive.") from exc
    return Container(model=model, parity=parity)


def write_container(model: bytes, parity: Mapping[str, np.ndarray]) -> bytes:
    """An ONNX upload holding ``model`` and the parity arrays (by output kind); the same inputs
    always give the same bytes."""
    unknown = set(parity) - set(PARITY_NAMES)
    if unknown:
        raise ValueError(f"unknown parity kinds {sorted(unknown)}; use {sorted(PARITY_NAMES)}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, MODEL_NAME, model)
        for kind in sorted(parity):
            buffer = io.BytesIO()
            np.save(buffer, np.asarray(parity[kind]), allow_pickle=False)
            _write(archive, PARITY_NAMES[kind], buffer.getvalue())
    return out.getvalue()


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _check_names(names: list[str]) -> None:
    if MODEL_NAME not in names:
        raise refuse(f"The ONNX upload has no {MODEL_NAME}.")
    extra = sorted(set(names) - MEMBERS)
    if extra:
        shown = ", ".join(repr(name[:60]) for name in extra[:5])
        raise refuse(f"The ONNX upload holds files it should not ({shown}); see docs/model-formats.md.")


def _array(raw: bytes, kind: str) -> np.ndarray:
    """A parity ``.npy`` member: plain dtype of its kind, right rank, exactly the declared data."""
    name = PARITY_NAMES[kind]
    stream = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(stream)
        readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        if version not in readers:
            raise ValueError("unsupported version")
        shape, fortran, dtype = readers[version](stream, max_header_size=MAX_NPY_HEADER)
    except (ValueError, TypeError, SyntaxError, EOFError) as exc:
        raise refuse(f"{name} is not a valid .npy array.") from exc
    if dtype.hasobject or dtype.fields is not None or dtype.kind not in _KINDS[kind]:
        raise refuse(f"{name} has dtype {dtype}, which is not allowed for {kind} predictions.")
    if len(shape) != _RANKS[kind]:
        raise refuse(f"{name} must have {_RANKS[kind]} axes; it has {len(shape)}.")
    offset = stream.tell()
    count = math.prod(shape)
    if len(raw) - offset != count * dtype.itemsize:
        raise refuse(f"{name} does not hold the data its header declares.")
    flat = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
    values = flat.reshape(shape, order="F" if fortran else "C")
    return values.astype(dtype.newbyteorder("="), copy=False) if not dtype.isnative else values
