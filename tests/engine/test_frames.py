"""Frames on disk: exact round trip to the canonical frame, memory-mapped, never pickled."""

from __future__ import annotations

import json
import mmap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.errors import EngineError, Reason
from scoring.frames import (
    META_NAME,
    canonical_frame,
    frame_rows,
    read_frame,
    verify_frame,
    write_frame,
)
from scoring.schema import Column, Kind, Schema, Task

REGIONS = ("north", "south", "east", "west")
SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("member", Kind.BOOLEAN),
        Column("region", Kind.CATEGORICAL, REGIONS),
        Column("code", Kind.CATEGORICAL, tuple(f"c{i}" for i in range(300))),
    ),
    target="y",
    task=Task.BINARY,
    classes=("no", "yes"),
)


def raw_frame(n: int = 50, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 10, n)
    age[::7] = np.nan
    member = rng.choice(np.array(["yes", "no", "true", "0", None], dtype=object), n)
    region = rng.choice(np.array([*REGIONS, None], dtype=object), n)
    code = rng.choice(np.array([f"c{i}" for i in range(300)], dtype=object), n)
    return pd.DataFrame({"age": age, "member": member, "region": region, "code": code, "y": "no"})


def test_round_trip_equals_the_canonical_frame(tmp_path: Path) -> None:
    frame = raw_frame()
    write_frame(frame, SCHEMA, tmp_path)
    pd.testing.assert_frame_equal(read_frame(tmp_path), SCHEMA.coerce(frame))
    pd.testing.assert_frame_equal(read_frame(tmp_path, mmap=False), SCHEMA.coerce(frame))


def test_writing_a_canonical_frame_again_changes_nothing(tmp_path: Path) -> None:
    canonical = SCHEMA.coerce(raw_frame())
    write_frame(canonical, SCHEMA, tmp_path)
    pd.testing.assert_frame_equal(read_frame(tmp_path), canonical)
    pd.testing.assert_frame_equal(canonical_frame(canonical, SCHEMA), canonical)


def test_columns_are_read_only_memory_maps(tmp_path: Path) -> None:
    write_frame(raw_frame(), SCHEMA, tmp_path)
    frame = read_frame(tmp_path)
    for values in (frame["age"].to_numpy(), frame["region"].array.codes):
        assert not values.flags.writeable
        base = values
        while getattr(base, "base", None) is not None and not isinstance(base, mmap.mmap):
            base = base.base
        assert isinstance(base, mmap.mmap)


def test_categorical_codes_keep_the_pandas_width(tmp_path: Path) -> None:
    write_frame(raw_frame(), SCHEMA, tmp_path)
    meta = json.loads((tmp_path / META_NAME).read_text())
    dtypes = {c["name"]: c["dtype"] for c in meta["columns"]}
    assert dtypes == {"age": "float64", "member": "float64", "region": "int8", "code": "int16"}
    assert frame_rows(tmp_path) == 50


def test_large_frame_reads_without_copying(tmp_path: Path) -> None:
    n = 1_000_000
    rng = np.random.default_rng(1)
    columns = [Column(f"x{i}", Kind.NUMERIC) for i in range(10)]
    columns += [Column("r", Kind.CATEGORICAL, REGIONS), Column("b", Kind.BOOLEAN)]
    schema = Schema(tuple(columns), target="y", task=Task.REGRESSION, target_range=(0.0, 1.0))
    data = {f"x{i}": rng.normal(size=n) for i in range(10)}
    data["r"] = pd.Categorical.from_codes(rng.integers(-1, 4, n), categories=list(REGIONS))
    data["b"] = rng.integers(0, 2, n).astype(np.float64)
    canonical = pd.DataFrame(data)
    write_frame(canonical, schema, tmp_path)
    frame = read_frame(tmp_path)
    assert frame.shape == (n, 12)
    assert all(not frame[c].to_numpy().flags.owndata for c in frame.columns[:10])
    pd.testing.assert_frame_equal(frame, canonical)


def test_empty_frame_round_trips(tmp_path: Path) -> None:
    frame = raw_frame().iloc[:0]
    write_frame(frame, SCHEMA, tmp_path)
    pd.testing.assert_frame_equal(read_frame(tmp_path), SCHEMA.coerce(frame))


def test_checksums_catch_a_changed_file(tmp_path: Path) -> None:
    write_frame(raw_frame(), SCHEMA, tmp_path)
    verify_frame(tmp_path)
    path = tmp_path / "col_0000.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(EngineError) as info:
        read_frame(tmp_path, verify=True)
    assert info.value.reason is Reason.SCHEMA_MISMATCH


def test_refuses_an_object_array_without_unpickling_it(tmp_path: Path) -> None:
    write_frame(raw_frame(), SCHEMA, tmp_path)
    np.save(tmp_path / "col_0000.npy", np.array([object()] * 50), allow_pickle=True)
    with pytest.raises(EngineError, match="cannot read column 'age'"):
        read_frame(tmp_path)


def test_refuses_a_column_of_the_wrong_dtype_or_length(tmp_path: Path) -> None:
    write_frame(raw_frame(), SCHEMA, tmp_path)
    np.save(tmp_path / "col_0000.npy", np.zeros(50, dtype=np.int64))
    with pytest.raises(EngineError, match="wrong dtype"):
        read_frame(tmp_path)
    np.save(tmp_path / "col_0000.npy", np.zeros(49))
    with pytest.raises(EngineError, match="wrong shape"):
        read_frame(tmp_path)


def test_refuses_codes_outside_the_categories(tmp_path: Path) -> None:
    write_frame(raw_frame(), SCHEMA, tmp_path)
    np.save(tmp_path / "col_0002.npy", np.full(50, 9, dtype=np.int8))
    with pytest.raises(EngineError, match="codes outside"):
        read_frame(tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(format=2),
        lambda m: m.update(rows=-1),
        lambda m: m["columns"][0].update(file="../escape.npy"),
        lambda m: m["columns"][0].update(dtype="object"),
        lambda m: m["columns"][2].update(categories=[1, 2]),
        lambda m: m["columns"][1].update(name="age"),
    ],
)
def test_refuses_a_tampered_description(tmp_path: Path, change: object) -> None:
    write_frame(raw_frame(), SCHEMA, tmp_path)
    meta = json.loads((tmp_path / META_NAME).read_text())
    change(meta)  # type: ignore[operator]
    (tmp_path / META_NAME).write_text(json.dumps(meta))
    with pytest.raises(EngineError):
        read_frame(tmp_path)


def test_missing_directory_is_a_schema_mismatch(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as info:
        read_frame(tmp_path / "nowhere")
    assert info.value.reason is Reason.SCHEMA_MISMATCH


_cells = st.one_of(st.none(), st.floats(-1e12, 1e12, allow_nan=False))
_regions = st.one_of(st.none(), st.sampled_from(REGIONS))
_flags = st.one_of(st.none(), st.sampled_from(["true", "false", "yes", "no", "1", "0"]))
_rows = st.lists(st.tuples(_cells, _flags, _regions), max_size=40)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows)
def test_any_frame_round_trips_exactly(tmp_path: Path, rows: list[tuple[object, ...]]) -> None:
    schema = Schema(
        columns=(
            Column("x", Kind.NUMERIC),
            Column("flag", Kind.BOOLEAN),
            Column("region", Kind.CATEGORICAL, REGIONS),
        ),
        target="y",
        task=Task.BINARY,
        classes=("no", "yes"),
    )
    frame = pd.DataFrame(
        {
            "x": pd.array([r[0] for r in rows], dtype="Float64"),
            "flag": pd.Series([r[1] for r in rows], dtype=object),
            "region": pd.Series([r[2] for r in rows], dtype=object),
        }
    )
    write_frame(frame, schema, tmp_path)
    pd.testing.assert_frame_equal(read_frame(tmp_path), schema.coerce(frame))
