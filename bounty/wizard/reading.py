"""Streaming an uploaded table (CSV or Parquet) to the draft's raw store, gathering what the organizer
must see about its values on the way.

Nothing is changed: a CSV is read with every field as text (only an empty field is missing; "NA",
"None" and padded values stay exactly as written) and written to ``<name>.parquet`` batch by batch, so
memory is bounded by one batch, whatever the file's size. A Parquet file keeps its own column types.
Per column the reader counts missing and numeric values and, while a column has few distinct values,
every distinct value exactly, with the first rows where odd values (not numbers, "NA"-like words)
appear. Rows are numbered as data rows of the file: row 1 is the first row after the header.
"""

from __future__ import annotations

import csv
import mmap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from bounty.errors import DomainError
from bounty.wizard.stats import FIRST_ROWS, ColumnStats, FileStats, measure, renumber

PARQUET_MAGIC = b"PAR1"
BLOCK_BYTES = 4 * 1024 * 1024
DELIMITERS = ",;\t|"


def read_upload(
    source: Path,
    target: Path,
    *,
    label: str,
    max_rows: int,
    max_columns: int,
    delimiter: str = "",
    progress: Callable[[float], None] = lambda share: None,
) -> FileStats:
    """Read ``source`` (CSV or Parquet); write its raw columns to ``target`` (Parquet); return stats."""
    with open(source, "rb") as handle:
        head = handle.read(4)
    size = max(source.stat().st_size, 1)
    total = 1
    if head == PARQUET_MAGIC:
        stats = FileStats(label=label, kind="parquet")
        batches = _parquet_batches(source, stats, max_columns)
        total = _parquet_rows(source, label)
    else:
        stats = FileStats(label=label, kind="csv", delimiter=delimiter or sniff_delimiter(source, label))
        batches = _csv_batches(source, stats, max_columns)
    writer: pq.ParquetWriter | None = None
    try:
        for index, batch in enumerate(batches):
            done = (index + 1) * BLOCK_BYTES / size if stats.kind == "csv" else stats.rows / total
            progress(min(0.99, done))
            if stats.rows + batch.num_rows > max_rows:
                raise _bad(label, f"has more than {max_rows:,} rows; the limit is {max_rows:,}")
            if writer is None:
                writer = pq.ParquetWriter(target, batch.schema, compression="lz4")
                stats.columns = [ColumnStats(str(f.name), str(f.type)) for f in batch.schema]
                for entry in stats.columns:  # a Parquet string column is text, digits or not
                    entry.text = stats.kind == "parquet" and entry.textual
            measure(batch, stats)
            writer.write_table(pa.Table.from_batches([batch]), row_group_size=batch.num_rows)  # no buffering
    finally:
        if writer is not None:
            writer.close()
    if writer is None or stats.rows == 0:
        raise _bad(label, "has no data rows")
    renumber(stats)
    return stats


# -- CSV -------------------------------------------------------------------------------------------
def sniff_delimiter(path: Path, label: str) -> str:
    with open(path, "rb") as handle:
        sample = handle.read(64 * 1024)
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            raise _bad(label, "is not UTF-8 text (save the CSV as UTF-8)") from None
        text = sample[: exc.start].decode("utf-8-sig")
    lines = text.splitlines()[:50]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def _csv_batches(path: Path, stats: FileStats, max_columns: int) -> Iterator[pa.RecordBatch]:
    names = _csv_header(path, stats, max_columns)
    stats.expected_fields = len(names)
    ragged: list[tuple[str, int]] = []

    def skip(row: Any) -> str:
        ragged.append((str(row.text), int(row.actual_columns)))
        return "skip"

    try:
        reader = pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=True),
            parse_options=pcsv.ParseOptions(
                delimiter=stats.delimiter, newlines_in_values=True, invalid_row_handler=skip
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        yield from reader
    except pa.ArrowInvalid as exc:
        raise _bad(stats.label, f"is not a readable CSV file: {_first_line(exc)}") from None
    _locate_ragged(path, ragged, stats)


def _csv_header(path: Path, stats: FileStats, max_columns: int) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=stats.delimiter), [])
    except UnicodeDecodeError:
        raise _bad(stats.label, "is not UTF-8 text (save the CSV as UTF-8)") from None
    except csv.Error as exc:
        raise _bad(stats.label, f"has an unreadable header: {exc}") from None
    check_names(header, stats.label, max_columns)
    return header


def _locate_ragged(path: Path, ragged: list[tuple[str, int]], stats: FileStats) -> None:
    """Find the rows the parser skipped: their data row numbers, by searching the file for their text."""
    stats.ragged_count = len(ragged)
    if not ragged:
        return
    found: list[tuple[int, int]] = []
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = 0
        for text, fields in ragged[:FIRST_ROWS]:
            at = data.find(text.encode("utf-8"), start)
            if at < 0:
                continue
            found.append((data[:at].count(b"\n"), fields))  # lines before it, less the header
            start = at + 1
    found.sort()
    stats.ragged = [row for row, _ in found]
    stats.ragged_fields = [fields for _, fields in found]


# -- Parquet ---------------------------------------------------------------------------------------
def _parquet_batches(path: Path, stats: FileStats, max_columns: int) -> Iterator[pa.RecordBatch]:
    try:
        table = pq.ParquetFile(path)
        names = [str(n) for n in table.schema_arrow.names]
        check_names(names, stats.label, max_columns)
        for batch in table.iter_batches(batch_size=65_536):
            yield _plain_batch(batch)
    except (OSError, pa.ArrowException) as exc:
        raise _bad(stats.label, f"is not a readable Parquet file: {_first_line(exc)}") from None


def _parquet_rows(path: Path, label: str) -> int:
    try:
        return max(int(pq.ParquetFile(path).metadata.num_rows), 1)
    except (OSError, pa.ArrowException) as exc:
        raise _bad(label, f"is not a readable Parquet file: {_first_line(exc)}") from None


def _plain_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Dictionary columns as their values; dates and times as ISO text; float NaN as missing."""
    columns = []
    for column in batch.columns:
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        if (
            pa.types.is_large_string(column.type)
            or pa.types.is_temporal(column.type)
            or pa.types.is_decimal(column.type)
        ):
            column = column.cast(pa.string())
        elif pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def check_names(names: list[str], label: str, max_columns: int) -> None:
    if not names or len(names) > max_columns:
        raise _bad(label, f"needs a header row with 1 to {max_columns} column names")
    if any(not n.strip() for n in names):
        raise _bad(label, f"has an empty column name (column {[n.strip() for n in names].index('') + 1})")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise _bad(label, f"repeats the column name {repeated[0]!r}")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _bad(label: str, message: str) -> DomainError:
    return DomainError("invalid_data", f"The file {label} {message}.", field=None)
