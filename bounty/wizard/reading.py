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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from bounty.errors import DomainError

PARQUET_MAGIC = b"PAR1"
BLOCK_BYTES = 8 * 1024 * 1024
NUMBER = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
NA_WORDS = ("NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "Null", "None", "none", "?", "-")
TRACK_DISTINCT = 10_001  # distinct values counted exactly per column (one more than a schema allows)
TRACK_ODD = 50  # distinct odd values followed per column (with rows) before a column counts as text
FIRST_ROWS = 10
NA_SET = pa.array(NA_WORDS)
TEXT_SHARE = 0.1  # a column with more non-numbers than this share is text, not numbers with odd values
DELIMITERS = ",;\t|"


@dataclass
class ColumnStats:
    """What the reader learned about one column (JSON-friendly, kept in the draft)."""

    name: str
    arrow_type: str  # "string" for every CSV column
    rows: int = 0
    empty: int = 0  # missing: an empty CSV field, a Parquet null (or float NaN)
    numeric: int = 0  # present values that read as finite numbers
    low: float | None = None  # the smallest and largest number seen
    high: float | None = None
    counts: dict[str, int] | None = field(default_factory=dict)  # None: too many distinct values
    odd_rows: dict[str, list[int]] = field(default_factory=dict)  # non-numeric value -> first rows
    odd_counts: dict[str, int] = field(default_factory=dict)  # non-numeric value -> how often
    odd_overflow: bool = False  # more than TRACK_ODD distinct non-numeric values
    text: bool = False  # many values are not numbers: a text column (numbers no longer counted)
    na_rows: dict[str, list[int]] = field(default_factory=dict)  # "NA"-like word -> first rows

    @property
    def textual(self) -> bool:
        return self.arrow_type in ("string", "large_string") or self.arrow_type.startswith("dictionary")

    @property
    def present(self) -> int:
        return self.rows - self.empty

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ColumnStats:
        return cls(**data)


@dataclass
class FileStats:
    label: str  # the name the organizer knows the file by ("data.csv", "the train file")
    kind: str  # csv | parquet
    rows: int = 0  # data rows kept (ragged rows are not among them)
    delimiter: str = ","
    ragged: list[int] = field(default_factory=list)  # first data rows with the wrong number of fields
    ragged_count: int = 0
    ragged_fields: list[int] = field(default_factory=list)  # fields found in each of ``ragged``
    expected_fields: int = 0
    columns: list[ColumnStats] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileStats:
        columns = [ColumnStats.from_json(c) for c in data["columns"]]
        return cls(**{**data, "columns": columns})

    def kept_to_file_row(self, kept: int) -> int:
        """The file's data row (1-based) of the ``kept``-th kept row (0-based)."""
        row = kept + 1
        for skipped in self.ragged:  # few, sorted
            if skipped <= row:
                row += 1
        return row


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
            _measure(batch, stats)
            writer.write_batch(batch)
    finally:
        if writer is not None:
            writer.close()
    if writer is None or stats.rows == 0:
        raise _bad(label, "has no data rows")
    _renumber(stats)
    return stats


def _renumber(stats: FileStats) -> None:
    """Rows were recorded as kept rows (1-based); skipped ragged rows shift the file's numbering."""
    if not stats.ragged:
        return
    for entry in stats.columns:
        for rows in (*entry.odd_rows.values(), *entry.na_rows.values()):
            rows[:] = [stats.kept_to_file_row(row - 1) for row in rows]


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


# -- statistics ------------------------------------------------------------------------------------
def _measure(batch: pa.RecordBatch, stats: FileStats) -> None:
    offset = stats.rows
    for column, entry in zip(batch.columns, stats.columns, strict=True):
        entry.rows += batch.num_rows
        entry.empty += column.null_count
        if pa.types.is_string(column.type):
            _measure_text(column, entry, offset)
        elif pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
            entry.numeric += len(column) - column.null_count
            _count_values(column.cast(pa.string()), entry)
            _range(column, entry)
        else:  # booleans
            _count_values(column.cast(pa.string()), entry)
    stats.rows += batch.num_rows


def _measure_text(column: pa.Array, entry: ColumnStats, offset: int) -> None:
    _count_values(column, entry)
    na = pc.is_in(column, value_set=NA_SET)
    if pc.any(na).as_py():
        _first_rows(column, na, entry.na_rows, offset, limit=len(NA_WORDS))
    if entry.text:
        return
    try:
        numbers = pc.cast(column, pa.float64())
        finite = pc.is_finite(numbers)
        _range(pc.if_else(finite, numbers, None), entry)
        entry.numeric += pc.sum(finite).as_py() or 0
        odd = pc.and_(pc.is_valid(column), pc.invert(pc.fill_null(finite, True)))
    except pa.ArrowInvalid:  # some value is not a number (or has spaces around it)
        number = pc.match_substring_regex(column, NUMBER)
        odd = pc.fill_null(pc.invert(number), False)
        _range(pc.cast(pc.utf8_trim_whitespace(pc.if_else(number, column, None)), pa.float64()), entry)
        entry.numeric += pc.sum(number).as_py() or 0
    odd_count = pc.sum(odd).as_py() or 0
    if odd_count and not entry.odd_overflow:
        entry.odd_overflow = not _first_rows(column, odd, entry.odd_rows, offset, limit=TRACK_ODD)
        _add_counts(entry.odd_counts, pc.value_counts(column.filter(odd)))
    seen = entry.rows - entry.empty
    if entry.present - entry.numeric > TEXT_SHARE * seen:
        entry.text, entry.odd_rows, entry.odd_counts, entry.odd_overflow = True, {}, {}, False


def _range(numbers: pa.Array, entry: ColumnStats) -> None:
    bounds = pc.min_max(numbers)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is not None:
        entry.low = float(low) if entry.low is None else min(entry.low, float(low))
        entry.high = float(high) if entry.high is None else max(entry.high, float(high))


def _count_values(column: pa.Array, entry: ColumnStats) -> None:
    if entry.counts is None:
        return
    counted = pc.value_counts(column.drop_null())
    if len(counted) + len(entry.counts) > TRACK_DISTINCT and len(counted) > TRACK_DISTINCT // 4:
        entry.counts = None  # clearly too many: stop before any Python-level merge
        return
    _add_counts(entry.counts, counted)
    if len(entry.counts) > TRACK_DISTINCT:
        entry.counts = None


def _add_counts(counts: dict[str, int], counted: pa.StructArray) -> None:
    values, numbers = counted.field("values").to_pylist(), counted.field("counts").to_pylist()
    for value, count in zip(values, numbers, strict=True):
        counts[str(value)] = counts.get(str(value), 0) + int(count)


def _first_rows(
    column: pa.Array, mask: pa.Array, rows: dict[str, list[int]], offset: int, *, limit: int
) -> bool:
    """Record the first kept rows (1-based) of each value where ``mask`` holds, for at most ``limit``
    distinct values; False once there are more."""
    positions = pc.indices_nonzero(mask)[: limit * FIRST_ROWS]
    for position, value in zip(positions.to_pylist(), column.take(positions).to_pylist(), strict=True):
        seen = rows.get(str(value))
        if seen is None:
            if len(rows) >= limit:
                return False
            seen = rows[str(value)] = []
        if len(seen) < FIRST_ROWS:
            seen.append(offset + int(position) + 1)
    return True


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _bad(label: str, message: str) -> DomainError:
    return DomainError("invalid_data", f"The file {label} {message}.", field=None)
