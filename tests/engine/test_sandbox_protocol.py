"""The parent's view of a child's answer: a hostile child gets nothing past these checks."""

from __future__ import annotations

import io
import json
import os
import struct
import threading
import time
from typing import Any

import numpy as np
import pytest

from scoring.errors import EngineError, Reason
from scoring.sandbox import protocol, results

pytestmark = pytest.mark.engine


def npy(array: np.ndarray) -> memoryview:
    return memoryview(protocol.array_to_npy(array))


def parse(header: dict[str, Any], blobs: list[memoryview], *, output: str = "proba") -> Any:
    return results.parse_pair(
        header,
        blobs,
        rows={"holdout": 4},
        masks={"holdout": np.array([True, False, True, True])},
        output=output,  # type: ignore[arg-type]
        n_classes=2,
    )


OK = {"status": "ok", "splits": ["holdout"]}
MASK = np.array([True, False, True, True])
SENT = memoryview(b"")  # no mask back for a split whose mask the parent sent
PROBA = np.array([[0.2, 0.8], [1.0, 0.0], [0.5, 0.5]])


def test_a_well_formed_answer_is_accepted() -> None:
    result = parse(OK, [SENT, npy(PROBA)])["holdout"]
    assert np.array_equal(result.mask, MASK)
    assert np.array_equal(result.predictions, PROBA)


def pickled_npy() -> memoryview:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}, None], dtype=object), allow_pickle=True)
    return memoryview(buffer.getvalue())


@pytest.mark.parametrize(
    ("header", "blobs"),
    [
        ({**OK, "extra": 1}, [SENT, npy(PROBA)]),
        ({"status": "ok", "splits": ["other"]}, [SENT, npy(PROBA)]),
        (OK, [SENT]),
        (OK, [npy(MASK), npy(PROBA)]),
        (OK, [npy(MASK.astype(np.int64)), npy(PROBA)]),
        (OK, [npy(~MASK), npy(PROBA)]),
        (OK, [SENT, npy(PROBA.astype(np.float32))]),
        (OK, [SENT, npy(PROBA.astype(">f8"))]),
        (OK, [SENT, pickled_npy()]),
        (OK, [SENT, npy(PROBA[:2])]),
        (OK, [SENT, npy(np.array([[np.nan, 1.0], [1.0, 0.0], [0.5, 0.5]]))]),
        (OK, [SENT, npy(np.array([[1.5, -0.5], [1.0, 0.0], [0.5, 0.5]]))]),
        (OK, [SENT, npy(np.array([[0.2, 0.2], [1.0, 0.0], [0.5, 0.5]]))]),
        (OK, [SENT, memoryview(b"\x93NUMPY garbage")]),
        (OK, [SENT, memoryview(protocol.array_to_npy(PROBA))[:-8]]),
    ],
)
def test_a_malformed_answer_is_a_prediction_error(header: dict[str, Any], blobs: list[memoryview]) -> None:
    with pytest.raises(EngineError) as info:
        parse(header, blobs)
    assert info.value.reason is Reason.PREDICTION_ERROR
    assert info.value.message == "The sandbox returned a malformed result."


@pytest.mark.parametrize("codes", [[0, 1, 2], [0, -1, 1], [0, 1]])
def test_class_codes_must_be_in_range_and_fit_the_mask(codes: list[int]) -> None:
    with pytest.raises(EngineError):
        parse(OK, [SENT, npy(np.array(codes, dtype=np.int64))], output="label")


def test_labels_and_values_need_their_own_dtypes() -> None:
    labels = np.array([1, 0, 1], dtype=np.int64)
    assert np.array_equal(parse(OK, [SENT, npy(labels)], output="label")["holdout"].predictions, labels)
    with pytest.raises(EngineError):
        parse(OK, [SENT, npy(labels)], output="value")
    with pytest.raises(EngineError):
        parse(OK, [SENT, npy(np.array([1.0, np.inf, 0.0]))], output="value")


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_class_codes_come_in_any_signed_integer_width_and_leave_as_int64(dtype: type) -> None:
    codes = np.array([1, 0, 1], dtype=dtype)
    got = parse(OK, [SENT, npy(codes)], output="label")["holdout"].predictions
    assert got.dtype == np.int64 and got.tolist() == [1, 0, 1]


@pytest.mark.parametrize("dtype", [np.uint8, np.float64, np.bool_])
def test_class_codes_of_another_dtype_are_refused(dtype: type) -> None:
    with pytest.raises(EngineError):
        parse(OK, [SENT, npy(np.array([1, 0, 1], dtype=dtype))], output="label")


def test_codes_travel_in_the_narrowest_type_that_holds_every_class() -> None:
    codes = np.array([0, 1, 2], dtype=np.int64)
    widths = {
        n: protocol.npy_to_array(protocol.codes_to_npy(codes, n), protocol.CODES).dtype
        for n in (3, 129, 40_000)
    }
    assert widths == {3: np.int8, 129: np.int16, 40_000: np.int32}


def parse_group_model_answer(blobs: list[memoryview]) -> Any:
    """A split without a mask from the parent: the child's group model made it and sends it."""
    return results.parse_pair(
        OK, blobs, rows={"holdout": 4}, masks={"holdout": None}, output="proba", n_classes=2
    )


def test_a_mask_the_child_made_comes_back_checked() -> None:
    assert np.array_equal(parse_group_model_answer([npy(MASK), npy(PROBA)])["holdout"].mask, MASK)
    for bad in (SENT, npy(MASK[:3]), npy(MASK.astype(np.int8))):
        with pytest.raises(EngineError):
            parse_group_model_answer([bad, npy(PROBA)])


def test_a_child_error_keeps_only_known_reasons_and_safe_text() -> None:
    header = {"status": "error", "reason": "accepted", "message": "fine /srv/data/holdout/labels.csv"}
    with pytest.raises(EngineError) as info:
        parse(header, [])
    assert info.value.reason is Reason.PREDICTION_ERROR
    assert "/srv" not in info.value.message and "<path>" in info.value.message
    long = {"status": "error", "reason": "invalid_model", "message": "x\x00" * 1000}
    with pytest.raises(EngineError) as info:
        parse(long, [])
    assert info.value.reason is Reason.INVALID_MODEL
    assert len(info.value.message) <= results.MAX_MESSAGE and "\x00" not in info.value.message
    for bad in ({"status": "error", "reason": "nonsense", "message": "m"}, {"status": "error"}):
        with pytest.raises(EngineError) as info:
            parse(bad, [])
        assert info.value.message == "The sandbox returned a malformed result."


def send(raw: bytes) -> int:
    read_end, write_end = os.pipe()

    def writer() -> None:
        try:
            os.write(write_end, raw)
        finally:
            os.close(write_end)

    threading.Thread(target=writer, daemon=True).start()
    return read_end


def read(read_end: int, max_bytes: int = 10**6, seconds: float = 2.0) -> Any:
    try:
        return protocol.read_message(read_end, deadline=time.monotonic() + seconds, max_bytes=max_bytes)
    finally:
        os.close(read_end)


def framed(header: dict[str, Any], blobs: list[bytes]) -> bytes:
    text = json.dumps({**header, "blobs": [len(b) for b in blobs]}).encode()
    return protocol.MAGIC + struct.pack("<I", len(text)) + text + b"".join(blobs)


def test_messages_round_trip_through_a_pipe() -> None:
    header, blobs = read(send(framed({"status": "ok"}, [b"abc", b""])))
    assert header == {"status": "ok"}
    assert [bytes(b) for b in blobs] == [b"abc", b""]
    assert read(send(b"")) is None


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"XXXX" + struct.pack("<I", 2) + b"{}", protocol.ProtocolError),
        (protocol.MAGIC + struct.pack("<I", 2**31), protocol.OutputTooLarge),
        (framed({"status": "ok"}, [b"x" * 2000]), protocol.OutputTooLarge),
        (framed({"status": "ok"}, [b"abc"])[:-1], protocol.ProtocolError),
        (protocol.MAGIC + struct.pack("<I", 4) + b"[1] ", protocol.ProtocolError),
        (protocol.MAGIC + struct.pack("<I", 13) + b'{"blobs":[-1]}'[:13], protocol.ProtocolError),
        (protocol.MAGIC + struct.pack("<I", 14) + b'{"blobs":[-1]}', protocol.ProtocolError),
    ],
)
def test_bad_or_oversized_messages_are_refused(raw: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        read(send(raw), max_bytes=1000)


def test_a_silent_child_hits_the_deadline() -> None:
    read_end, write_end = os.pipe()
    try:
        start = time.monotonic()
        with pytest.raises(protocol.Deadline):
            read(read_end, seconds=0.3)
        assert time.monotonic() - start < 2
    finally:
        os.close(write_end)
