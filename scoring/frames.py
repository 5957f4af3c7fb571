"""A split's feature frame on disk, in a form a sandboxed child can memory-map quickly and safely.

One directory per frame: one ``.npy`` file per column (never pickled) and ``frame.json`` with the row
count, each column's name, kind, categories, file, dtype and sha256.

- numeric and boolean columns: ``float64`` (NaN for missing), exactly the canonical values;
- categorical columns: the pandas category codes (``int8`` / ``int16`` / ``int32``, the smallest
  signed type pandas itself uses for that many categories, so no copy is needed when reading), -1 for
  missing.

``read_frame`` rebuilds exactly the canonical frame of ``Schema.coerce``: float64 columns and
``pd.Categorical.from_codes`` columns, without materialising strings; with ``mmap=True`` the column
data stay memory-mapped (read-only) instead of being read into memory.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import EngineError, Reason
from scoring.schema import Column, Kind, Schema

META_NAME = "frame.json"
FORMAT_VERSION = 1
MAX_META_BYTES = 16 * 2**20
_CODE_DTYPES = ("int8", "int16", "int32")
_HASH_CHUNK = 4 * 2**20


def write_frame(frame: pd.DataFrame, schema: Schema, directory: Path) -> None:
    """Write the schema's features of ``frame`` (brought to canonical form) into ``directory``."""
    canonical = canonical_frame(frame, schema)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    meta_path = directory / META_NAME
    meta_path.unlink(missing_ok=True)  # an incomplete directory has no frame.json
    columns = []
    for index, col in enumerate(schema.columns):
        values = _column_values(canonical[col.name], col.kind)
        file_name = f"col_{index:04d}.npy"
        np.save(directory / file_name, values, allow_pickle=False)
        entry: dict[str, Any] = {
            "name": col.name,
            "kind": col.kind.value,
            "file": file_name,
            "dtype": values.dtype.name,
            "sha256": _file_sha256(directory / file_name),
        }
        if col.kind is Kind.CATEGORICAL:
            entry["categories"] = list(col.categories)
        columns.append(entry)
    meta = {"format": FORMAT_VERSION, "rows": len(canonical), "columns": columns}
    tmp = directory / (META_NAME + ".tmp")
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, meta_path)


def canonical_frame(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """``schema.coerce(frame)``, except that columns already in canonical form are kept as they
    are (``coerce`` does not accept the float 0/1 of canonical boolean columns)."""
    todo = [c for c in schema.columns if c.name not in frame or not _is_canonical(frame[c.name], c)]
    coerced = pd.DataFrame()
    if todo:
        partial = replace(schema, columns=tuple(todo), attributes=())
        coerced = partial.coerce(frame)
    data = {c.name: (coerced[c.name] if c.name in coerced else frame[c.name]).array for c in schema.columns}
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)), copy=False)


def _is_canonical(series: pd.Series, col: Column) -> bool:
    if col.kind is Kind.CATEGORICAL:
        dtype = series.dtype
        return (
            isinstance(dtype, pd.CategoricalDtype)
            and not dtype.ordered
            and tuple(str(c) for c in dtype.categories) == col.categories
            and not (not col.nullable and series.isna().any())
        )
    if series.dtype != np.float64:
        return False
    values = series.to_numpy()
    missing = np.isnan(values)
    if missing.any() and not col.nullable:
        return False
    if col.kind is Kind.BOOLEAN:
        return bool(np.isin(values[~missing], (0.0, 1.0)).all())
    return not np.isinf(values).any()


def read_frame(directory: Path, *, mmap: bool = True, verify: bool = False) -> pd.DataFrame:
    """The canonical frame stored in ``directory`` (memory-mapped, read-only, when ``mmap``).

    ``verify`` also checks every file's sha256 against ``frame.json`` (reads all the data).
    """
    directory = Path(directory)
    meta = read_meta(directory)
    if verify:
        verify_frame(directory)
    n_rows: int = meta["rows"]
    data: dict[str, Any] = {}
    for entry in meta["columns"]:
        values = _load_column(directory / entry["file"], entry, n_rows, mmap=mmap)
        if entry["kind"] == Kind.CATEGORICAL.value:
            data[entry["name"]] = _categorical(values, entry)
        else:
            data[entry["name"]] = values
    return pd.DataFrame(data, index=pd.RangeIndex(n_rows), copy=False)


def frame_rows(directory: Path) -> int:
    """The number of rows of the frame stored in ``directory`` (reads only ``frame.json``)."""
    rows: int = read_meta(Path(directory))["rows"]
    return rows


def verify_frame(directory: Path) -> None:
    """Raise unless every column file of ``directory`` matches the sha256 in ``frame.json``."""
    directory = Path(directory)
    for entry in read_meta(directory)["columns"]:
        if _file_sha256(directory / entry["file"]) != entry["sha256"]:
            raise _bad(f"column {entry['name']!r} does not match its checksum")


def read_meta(directory: Path) -> dict[str, Any]:
    """The validated contents of ``frame.json``."""
    path = Path(directory) / META_NAME
    try:
        if path.stat().st_size > MAX_META_BYTES:
            raise _bad("frame.json is too large")
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _bad(f"cannot read the frame description: {type(exc).__name__}") from None
    _check_meta(meta)
    return meta


# -- helpers ----------------------------------------------------------------------------------
def _column_values(series: pd.Series, kind: Kind) -> np.ndarray:
    if kind is Kind.CATEGORICAL:
        codes = np.asarray(series.array.codes)
        return np.ascontiguousarray(codes)
    return np.ascontiguousarray(series.to_numpy(dtype=np.float64))


def _load_column(path: Path, entry: dict[str, Any], n_rows: int, *, mmap: bool) -> np.ndarray:
    use_mmap = mmap and n_rows > 0
    try:
        values = np.load(path, mmap_mode="r" if use_mmap else None, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise _bad(f"cannot read column {entry['name']!r}: {type(exc).__name__}") from None
    if not isinstance(values, np.ndarray) or values.shape != (n_rows,):
        raise _bad(f"column {entry['name']!r} has the wrong shape")
    if values.dtype != np.dtype(entry["dtype"]) or not values.dtype.isnative:
        raise _bad(f"column {entry['name']!r} has the wrong dtype")
    if use_mmap:
        return np.asarray(values)  # a plain read-only ndarray view of the map (no np.memmap subclass)
    return values


def _categorical(codes: np.ndarray, entry: dict[str, Any]) -> pd.Categorical:
    try:
        return pd.Categorical.from_codes(codes, categories=list(entry["categories"]))
    except ValueError:
        raise _bad(f"column {entry['name']!r} has codes outside its categories") from None


def _check_meta(meta: Any) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        raise _bad("unknown frame format")
    rows, columns = meta.get("rows"), meta.get("columns")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise _bad("the frame has an invalid row count")
    if not isinstance(columns, list) or not columns:
        raise _bad("the frame has no columns")
    names = set()
    for index, entry in enumerate(columns):
        _check_entry(entry, index)
        names.add(entry["name"])
    if len(names) != len(columns):
        raise _bad("the frame repeats a column name")


def _check_entry(entry: Any, index: int) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise _bad(f"column {index} is malformed")
    if entry.get("file") != f"col_{index:04d}.npy" or not isinstance(entry.get("sha256"), str):
        raise _bad(f"column {entry['name']!r} is malformed")
    kind, dtype = entry.get("kind"), entry.get("dtype")
    if kind == Kind.CATEGORICAL.value:
        categories = entry.get("categories")
        if dtype not in _CODE_DTYPES or not isinstance(categories, list):
            raise _bad(f"column {entry['name']!r} is malformed")
        if not all(isinstance(c, str) for c in categories):
            raise _bad(f"column {entry['name']!r} has non-text categories")
    elif kind not in (Kind.NUMERIC.value, Kind.BOOLEAN.value) or dtype != "float64":
        raise _bad(f"column {entry['name']!r} is malformed")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _bad(message: str) -> EngineError:
    return EngineError(Reason.SCHEMA_MISMATCH, message, field="frame")
