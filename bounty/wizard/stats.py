"""What the reader counts in an organizer's file, batch by batch (``reading`` streams the batches).

Per column: missing and numeric values, the range of the numbers and, while a column has few distinct
values, every distinct value exactly, with the first rows where odd values (not numbers, "NA"-like
words) appear. Rows are recorded as kept rows while reading and renumbered to the file's data rows
(row 1 follows the header) once the ragged rows the parser skipped are known.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

NUMBER = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
NA_WORDS = ("NA", "N/A", "n/a", "na", "NaN", "nan", "null", "NULL", "Null", "None", "none", "?", "-")
TRACK_DISTINCT = 10_001  # distinct values counted exactly per column (one more than a schema allows)
TRACK_ODD = 50  # distinct odd values followed per column (with rows) before a column counts as text
FIRST_ROWS = 10
NA_SET = pa.array(NA_WORDS)
TEXT_SHARE = 0.1  # a column with more non-numbers than this share is text, not numbers with odd values


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


def renumber(stats: FileStats) -> None:
    """Rows were recorded as kept rows (1-based); skipped ragged rows shift the file's numbering."""
    if not stats.ragged:
        return
    for entry in stats.columns:
        for rows in (*entry.odd_rows.values(), *entry.na_rows.values()):
            rows[:] = [stats.kept_to_file_row(row - 1) for row in rows]


def measure(batch: pa.RecordBatch, stats: FileStats) -> None:
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
