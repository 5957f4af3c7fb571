"""The fast ``.npy`` header reader agrees with numpy's on every header, written or crafted."""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.safe_load import npyheader

SCALARS = ["<f8", "<f4", "<i8", "<i4", "|u1", "|b1", ">f8", "<U7", "|S3", "<c16", "<m8[s]", "<M8[ns]"]
names = st.text(st.characters(codec="latin-1"), min_size=1, max_size=12)


@st.composite
def dtypes(draw: st.DrawFn) -> np.dtype[Any]:
    if draw(st.booleans()):
        return np.dtype(draw(st.sampled_from(SCALARS)))
    fields = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    return np.dtype([(name, draw(st.sampled_from(SCALARS))) for name in fields])


def numpy_reader(data: bytes) -> tuple[Any, ...]:
    buffer = io.BytesIO(data)
    version = np.lib.format.read_magic(buffer)
    reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    return tuple(reader[version](buffer))


def fast_reader(data: bytes) -> tuple[Any, ...]:
    buffer = io.BytesIO(data)
    version = np.lib.format.read_magic(buffer)
    return tuple(npyheader.read_header(buffer, version))


def header_bytes(text: str) -> bytes:
    raw = text.encode("latin-1")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw


@settings(max_examples=300, deadline=None)
@given(dtype=dtypes(), shape=st.lists(st.integers(0, 4), max_size=3), fortran=st.booleans())
def test_written_headers_parse_exactly_as_numpy_parses_them(
    dtype: np.dtype[Any], shape: list[int], fortran: bool
) -> None:
    array = np.zeros(tuple(shape), dtype=dtype, order="F" if fortran else "C")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    data = buffer.getvalue()
    assert fast_reader(data) == numpy_reader(data)
    header = data[10 : 10 + struct.unpack("<H", data[8:10])[0]].decode("latin-1")
    assert npyheader.parse_header(header) is not None  # the fast path took it


FORGED = [
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1, }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }, 'shape': (10**9,)",
    "{'descr': [('a', '<f8'), ('b', '<f8')], 'fortran_order': False, 'shape': (2,), }",
    "{'descr': [('x\\', \\'fortran_order\\': True, \\'shape\\': (9,), }', '<f8')], "
    "'fortran_order': False, 'shape': (2,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3, ), }",
    "{'descr': '<f8','fortran_order': False, 'shape': (3,), }",
    "{'shape': (3,), 'fortran_order': False, 'descr': '<f8', }",
    "{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (0x10,), }",
    "{'descr': __import__('os'), 'fortran_order': False, 'shape': (3,), }",
    "{'descr': 'object', 'fortran_order': False, 'shape': (3,), }",
]


def outcome(read: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "ok", read(data)
    except Exception as exc:  # numpy's own parser raises more than ValueError on some texts
        return "refused", type(exc)


@pytest.mark.parametrize("text", FORGED)
def test_forged_headers_get_numpys_answer(text: str) -> None:
    data = header_bytes(text + " " * 8 + "\n")
    assert outcome(fast_reader, data) == outcome(numpy_reader, data)


@settings(max_examples=300, deadline=None)
@given(
    descr=st.sampled_from(["'<f8'", "'|b1'", "[('a', '<i8')]", "'<f8', 'x': 1", "'<f8'}, {'y': 2"]),
    order=st.sampled_from(["True", "False", "1", "None"]),
    shape=st.text(st.sampled_from("0123456789, -()x"), max_size=10),
    tail=st.sampled_from([", }", "}", ", } ", ", }\n", ",}"]),
)
def test_crafted_headers_get_numpys_answer(descr: str, order: str, shape: str, tail: str) -> None:
    text = f"{{'descr': {descr}, 'fortran_order': {order}, 'shape': ({shape}){tail}"
    data = header_bytes(text)
    assert outcome(fast_reader, data) == outcome(numpy_reader, data)


def test_numpy_load_goes_through_the_fast_reader_once_installed() -> None:
    assert npyheader.install()
    assert npyheader.install()  # idempotent
    buffer = io.BytesIO()
    np.save(buffer, np.arange(5.0), allow_pickle=False)
    buffer.seek(0)
    assert np.load(buffer, allow_pickle=False).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
