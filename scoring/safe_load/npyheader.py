"""``.npy`` headers parsed without compiling Python source, with exactly numpy's result.

numpy parses every array header with ``ast.literal_eval``, which compiles the text: about 50 us a
header, and a gradient-boosting skops file holds hundreds of arrays, each read twice (the zip guard,
then skops). A header written by ``np.save`` has one fixed form::

    {'descr': <descr>, 'fortran_order': <bool>, 'shape': <tuple>, }<spaces>\\n

``parse_header`` splits that form with a regular expression, evaluates the ``descr`` through a small
cache (every array of one model repeats a few descriptors), and then accepts its reading only when
writing the three values back out with ``repr`` gives the header text exactly. Such a text is a dict
display of those three reprs, so ``literal_eval`` would give the same three values: a crafted header
cannot make this parser and numpy disagree. Anything else returns ``None`` and numpy's own parser
decides, errors included. ``install`` puts the fast path in front of numpy's reader (the sandbox's
processes only read headers through it).
"""

from __future__ import annotations

import ast
import functools
import io
import re
import struct
from typing import IO, Any

import numpy as np

Header = tuple[tuple[int, ...], bool, np.dtype[Any]]

_FORM = re.compile(
    r"\{'descr': (?P<descr>.+), 'fortran_order': (?P<order>True|False), "
    r"'shape': \((?P<shape>[0-9, ]*)\), \} *\n?",
    re.DOTALL,
)
_SIZES = {(1, 0): ("<H", "latin1"), (2, 0): ("<I", "latin1"), (3, 0): ("<I", "utf8")}
MAX_HEADER_CHARS = 10_000  # numpy's own default limit


@functools.lru_cache(maxsize=256)
def _descr(text: str) -> Any:
    return ast.literal_eval(text)


def _shape(text: str) -> tuple[int, ...] | None:
    parts = [p.strip() for p in text.split(",")]
    if parts and parts[-1] == "":
        parts.pop()
    if not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def parse_header(header: str) -> Header | None:
    """``(shape, fortran_order, dtype)`` of a standard header, or ``None`` to leave it to numpy."""
    if len(header) > MAX_HEADER_CHARS:
        return None
    match = _FORM.fullmatch(header)
    if match is None:
        return None
    shape = _shape(match["shape"])
    if shape is None:
        return None
    try:
        descr = _descr(match["descr"])
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    order = match["order"] == "True"
    written = f"{{'descr': {descr!r}, 'fortran_order': {order!r}, 'shape': {shape!r}, }}"
    if header.rstrip(" \n") != written:
        return None
    try:
        dtype = np.lib.format.descr_to_dtype(descr)
    except (TypeError, ValueError):
        return None
    return shape, order, dtype


def read_header(fp: IO[bytes], version: tuple[int, int]) -> Header:
    """Read the header after the magic of a ``version`` file (``ValueError`` when it is malformed)."""
    if version not in _SIZES:
        raise ValueError(f"unsupported .npy version {version!r}")
    raw_length, header = _read_raw(fp, version)
    parsed = parse_header(header.decode(_SIZES[version][1]))
    if parsed is not None:
        return parsed
    return _numpy_header(io.BytesIO(raw_length + header), version)


def _numpy_header(fp: IO[bytes], version: tuple[int, int]) -> Header:
    if _NUMPY_READER is not None:
        result: Header = _NUMPY_READER(fp, version)
        return result
    public = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in public:
        raise ValueError(f"unsupported .npy version {version!r}")
    shape, order, dtype = public[version](fp)
    return shape, order, dtype


def _read_raw(fp: IO[bytes], version: tuple[int, int]) -> tuple[bytes, bytes]:
    length_format = _SIZES[version][0]
    raw_length = fp.read(struct.calcsize(length_format))
    if len(raw_length) != struct.calcsize(length_format):
        raise ValueError("EOF while reading the array header length")
    (length,) = struct.unpack(length_format, raw_length)
    if length > MAX_HEADER_CHARS * 4:
        raise ValueError("the array header is too large")
    header = fp.read(length)
    if len(header) != length:
        raise ValueError("EOF while reading the array header")
    return raw_length, header


_format: Any = np.lib.format
_impl: Any = getattr(np.lib, "_format_impl", _format)
_NUMPY_READER: Any = getattr(_impl, "_read_array_header", None)


def _fast_reader(fp: IO[bytes], version: tuple[int, int], max_header_size: int = MAX_HEADER_CHARS) -> Any:
    """numpy's ``_read_array_header`` with the fast path in front (numpy's own limit only)."""
    if version not in _SIZES or max_header_size != MAX_HEADER_CHARS:
        return _NUMPY_READER(fp, version, max_header_size=max_header_size)
    return read_header(fp, version)


def install() -> bool:
    """Route numpy's header reading through the fast path; ``False`` where numpy's layout differs."""
    current = getattr(_impl, "_read_array_header", None)
    if current is _fast_reader:
        return True
    if _NUMPY_READER is None or current is not _NUMPY_READER:
        return False
    _impl._read_array_header = _fast_reader
    return True
