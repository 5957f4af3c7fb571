"""Reading a small uploaded table (CSV or Parquet) into memory as text: the last-mile audits' data
(``bounty.services.last_mile``). An organizer's competition data goes through the streaming reader
(``bounty.wizard.reading``) instead.

Every value is read as text exactly as written (only an empty field is missing: "NA" and "None" stay
words, spaces stay), so nothing is lost or re-typed; ``Schema.validate`` and ``Schema.coerce`` do the
typing afterwards. Errors are ``DomainError``s that name the file (and the row when one is at fault).
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from bounty.errors import DomainError

NA_VALUES = [""]
PARQUET_MAGIC = b"PAR1"


def parquet_supported() -> bool:
    """Whether pandas can read Parquet here (it needs pyarrow or fastparquet)."""
    return any(importlib.util.find_spec(m) is not None for m in ("pyarrow", "fastparquet"))


def read_table(path: Path, *, label: str, max_rows: int, max_columns: int) -> pd.DataFrame:
    """The table in ``path`` with text values; ``label`` names it in error messages."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head == PARQUET_MAGIC:
        frame = _read_parquet(path, label, max_rows=max_rows, max_columns=max_columns)
    else:
        _check_header(path, label, max_columns)
        frame = _read_csv(path, label, max_rows)
    if len(frame.columns) > max_columns:
        raise _bad(label, f"has {len(frame.columns)} columns; the limit is {max_columns}")
    if len(frame) > max_rows:
        raise _bad(label, f"has more than {max_rows:,} rows; the limit is {max_rows:,}")
    if frame.empty:
        raise _bad(label, "has no data rows")
    return frame


def _read_csv(path: Path, label: str, max_rows: int) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=NA_VALUES,
            nrows=max_rows + 1,
            encoding="utf-8",
        )
    except UnicodeDecodeError:
        raise _bad(label, "is not UTF-8 text (save the CSV as UTF-8)") from None
    except pd.errors.EmptyDataError:
        raise _bad(label, "is empty") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise _bad(label, f"is not a readable CSV file: {_first_line(exc)}") from None


def _check_header(path: Path, label: str, max_columns: int) -> None:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise _bad(label, "is not UTF-8 text (save the CSV as UTF-8)") from None
    except csv.Error as exc:
        raise _bad(label, f"has an unreadable header: {exc}") from None
    _check_names(header, label, max_columns)


def _check_names(names: list[str], label: str, max_columns: int) -> None:
    if not names or len(names) > max_columns:
        raise _bad(label, f"needs a header row with 1 to {max_columns} column names")
    if any(not n for n in names):
        raise _bad(label, f"has an empty column name (column {names.index('') + 1})")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise _bad(label, f"repeats the column name {repeated[0]!r}")


def _read_parquet(path: Path, label: str, *, max_rows: int, max_columns: int) -> pd.DataFrame:
    """A Parquet table as text; its size is checked from the footer before any column is read."""
    if not parquet_supported():
        raise _bad(label, "is a Parquet file, but this server reads CSV only (no Parquet engine)")
    import pyarrow as pa  # an optional engine: imported only when a Parquet file arrives
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        if meta.num_columns > max_columns:
            raise _bad(label, f"has {meta.num_columns} columns; the limit is {max_columns}")
        if meta.num_rows > max_rows:
            raise _bad(label, f"has more than {max_rows:,} rows; the limit is {max_rows:,}")
        raw = pd.read_parquet(path, engine="pyarrow")
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise _bad(label, f"is not a readable Parquet file: {_first_line(exc)}") from None
    _check_names([str(c) for c in raw.columns], label, max_columns)
    text = raw.astype("string").astype(object)
    return text.where(raw.notna(), np.nan).rename(columns=str)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _bad(label: str, message: str) -> DomainError:
    return DomainError("invalid_data", f"{label[:1].upper()}{label[1:]} {message}.", field=None)
