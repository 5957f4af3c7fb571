"""The wire format between the parent and a sandboxed child: never pickle.

A message is ``MAGIC`` + the header length (uint32, little endian) + a JSON header + raw byte blobs
whose lengths the header lists under ``"blobs"``. Arrays travel as ``.npy`` bytes and are read back
with ``allow_pickle=False`` and a dtype whitelist.

The parent reads a child's message with a deadline and byte caps (``read_message``): everything that
comes from the child is untrusted.
"""

from __future__ import annotations

import io
import json
import os
import select
import struct
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

MAGIC = b"BBX1"
_PREFIX = struct.Struct("<4sI")
MAX_HEADER_BYTES = 1 * 2**20
MAX_NPY_HEADER = 4096
_CHUNK = 1 * 2**20
Blob = bytes | bytearray | memoryview
BOOL = np.dtype(np.bool_)
FLOAT64 = np.dtype(np.float64)
CODES = [np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64)]  # class codes, narrowest first


class ProtocolError(Exception):
    """A message that breaks the format or a cap."""


class OutputTooLarge(ProtocolError):
    """A message larger than the reader's cap."""


class Deadline(Exception):
    """The deadline passed before the whole message was read or written."""


# -- writing (both directions) ------------------------------------------------------------------
def write_message(
    fd: int, header: dict[str, Any], blobs: Sequence[Blob] = (), *, deadline: float | None = None
) -> None:
    """Write one message to ``fd``; with a ``deadline`` (``time.monotonic``) the descriptor is
    made non-blocking and ``Deadline`` is raised when it passes."""
    header = {**header, "blobs": [memoryview(b).nbytes for b in blobs]}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    if deadline is not None:
        os.set_blocking(fd, False)
    for part in (_PREFIX.pack(MAGIC, len(text)) + text, *blobs):
        _write_all(fd, part, deadline)


def _write_all(fd: int, data: Blob, deadline: float | None) -> None:
    view = memoryview(data).cast("B")
    poller = select.poll()
    poller.register(fd, select.POLLOUT | select.POLLERR)
    while view:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Deadline
            if not poller.poll(min(remaining, 3600.0) * 1000):
                continue
        try:
            written = os.write(fd, view[:_CHUNK])
        except BlockingIOError:
            continue
        view = view[written:]


def codes_to_npy(codes: np.ndarray, n_classes: int) -> bytearray:
    """Class codes (0 to ``n_classes`` - 1) as ``.npy`` bytes in the narrowest of ``CODES`` that
    holds them: an eighth of the bytes of int64 for up to 127 classes."""
    dtype = next(t for t in CODES if n_classes - 1 <= np.iinfo(t.type).max)
    return array_to_npy(codes.astype(dtype, copy=False))


def array_to_npy(array: np.ndarray) -> bytearray:
    """``array`` as ``.npy`` bytes (format 1.0), with a single copy of the data."""
    array = np.ascontiguousarray(array)
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(head, np.lib.format.header_data_from_array_1_0(array))
    header = head.getvalue()
    out = bytearray(len(header) + array.nbytes)
    out[: len(header)] = header
    if array.nbytes:
        np.frombuffer(out, dtype=np.uint8, offset=len(header))[:] = array.reshape(-1).view(np.uint8)
    return out


# -- reading ------------------------------------------------------------------------------------
def read_message(
    fd: int, *, deadline: float, max_bytes: int, max_header: int = MAX_HEADER_BYTES
) -> tuple[dict[str, Any], list[memoryview]] | None:
    """One message from ``fd``, or None when the writer closed the pipe before sending anything.

    Raises ``Deadline`` when ``time.monotonic()`` passes ``deadline`` first and ``ProtocolError``
    when the message is malformed, truncated or larger than ``max_bytes`` in all.
    """
    prefix = _read_exact(fd, _PREFIX.size, deadline, allow_eof=True)
    if prefix is None:
        return None
    magic, header_len = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise ProtocolError("bad message prefix")
    if header_len > min(max_header, max_bytes):
        raise OutputTooLarge("header larger than its cap")
    header = _parse_header(_read_exact(fd, header_len, deadline))
    sizes = header.pop("blobs")
    if header_len + sum(sizes) > max_bytes:
        raise OutputTooLarge("message larger than the output cap")
    body = _read_exact(fd, sum(sizes), deadline) or memoryview(b"")
    views, offset = [], 0
    for size in sizes:
        views.append(body[offset : offset + size])
        offset += size
    return header, views


def _parse_header(raw: memoryview | None) -> dict[str, Any]:
    try:
        header = json.loads(bytes(raw or b""))
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("header is not JSON") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    sizes = header.get("blobs")
    if not isinstance(sizes, list) or not all(_is_count(s) for s in sizes):
        raise ProtocolError("bad blob sizes")
    return header


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _read_exact(fd: int, size: int, deadline: float, *, allow_eof: bool = False) -> memoryview | None:
    # np.empty, not bytearray: a large buffer is not zero-filled, so memory is committed only as
    # data actually arrives (a child that announces 2 GiB and sends nothing costs nothing).
    view, got = np.empty(size, dtype=np.uint8).data, 0
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while got < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Deadline
        if not poller.poll(min(remaining, 3600.0) * 1000):
            continue
        count = os.readv(fd, [view[got : got + _CHUNK * 16]])
        if count == 0:
            if allow_eof and got == 0:
                return None
            raise ProtocolError("truncated message")
        got += count
    return view


def read_trusted(fd: int, max_bytes: int) -> tuple[dict[str, Any], list[memoryview]]:
    """One message from the trusted parent (child side; no deadline)."""
    message = read_message(fd, deadline=float("inf"), max_bytes=max_bytes)
    if message is None:
        raise ProtocolError("no job")
    return message


def npy_to_array(blob: Blob, allowed: Sequence[np.dtype[Any]]) -> np.ndarray:
    """The array in ``.npy`` bytes (a view of ``blob``, no copy), refusing pickles, non-native
    byte orders and dtypes outside ``allowed``."""
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            read_header = np.lib.format.read_array_header_1_0
        elif version == (2, 0):
            read_header = np.lib.format.read_array_header_2_0
        else:
            raise ProtocolError("unsupported array format version")
        shape, fortran, dtype = read_header(stream, max_header_size=MAX_NPY_HEADER)
    except (ValueError, TypeError, SyntaxError, EOFError):
        raise ProtocolError("bad array header") from None
    if fortran or dtype not in allowed or not dtype.isnative or dtype.hasobject:
        raise ProtocolError("array of a refused dtype or layout")
    count = int(np.prod(shape, dtype=np.int64))
    offset = stream.tell()
    if len(blob) - offset != count * dtype.itemsize:
        raise ProtocolError("array size does not match its header")
    return np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(shape)
