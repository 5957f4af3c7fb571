"""Typing the raw columns by the schema and the organizer's choices, and splitting them.

Reads the raw store batch by batch (memory bounded by one batch) and writes one typed Parquet file
per split: numbers as float64, categories as dictionary codes over exactly the schema's categories
(so nothing is re-parsed or re-spelled on the way to the engine), booleans as 1.0 / 0.0. A value the
schema does not allow is never coerced: it is reported with its file, column, count and first rows,
and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from bounty.wizard.stats import NA_SET, NUMBER, FileStats
from scoring.schema import Column, Kind, Schema

SPLITS = ("train", "holdout", "confirmation")
BATCH_ROWS = 65_536
TRUE = pa.array(["true", "1", "1.0", "yes", "t", "y"])
FALSE = pa.array(["false", "0", "0.0", "no", "f", "n"])
Progress = Callable[[float], None]


@dataclass(frozen=True)
class SplitPlan:
    """How rows reach the splits: three files as they are, or one file split at random (seeded)."""

    mode: str  # "one" | "three"
    shares: tuple[float, float, float] = (0.6, 0.2, 0.2)
    seed: int = 0


@dataclass
class Findings:
    """Values the schema does not allow: (file, column, what) -> count and first rows."""

    found: dict[tuple[str, str, str], tuple[int, list[int]]] = field(default_factory=dict)

    def add(self, key: tuple[str, str, str], mask: pa.Array, offset: int, stats: FileStats) -> None:
        count = pc.sum(mask).as_py() or 0
        if not count:
            return
        before, rows = self.found.get(key, (0, []))
        if len(rows) < 10:
            first = pc.indices_nonzero(mask)[: 10 - len(rows)].to_pylist()
            rows = rows + [stats.kept_to_file_row(offset + int(i)) for i in first]
        self.found[key] = (before + count, rows)

    def texts(self) -> list[str]:
        return [
            f"The file {file}, column {column!r}: {what} in {count:,} row{'' if count == 1 else 's'} "
            f"(first: row {', '.join(map(str, rows))})"
            for (file, column, what), (count, rows) in self.found.items()
        ]


def split_labels(rows: int, plan: SplitPlan) -> np.ndarray:
    """For each kept row of a one-file upload, the index of its split (seeded, exact shares)."""
    shares = np.asarray(plan.shares, dtype=float)
    shares = shares / shares.sum()
    order = np.random.default_rng(plan.seed).permutation(rows)
    cuts = np.round(np.cumsum(shares)[:2] * rows).astype(int)
    labels = np.empty(rows, dtype=np.int8)
    for index, part in enumerate(np.split(order, cuts)):
        labels[part] = index
    return labels


def write_typed(
    raw: Mapping[str, tuple[Path, FileStats]],
    *,
    schema: Schema,
    choices: Mapping[str, str],
    plan: SplitPlan,
    folder: Path,
    progress: Progress = lambda share: None,
) -> tuple[dict[str, int], list[str]]:
    """Write ``<folder>/<split>.parquet`` for every split; return the rows per split and the problems
    (when there are problems nothing is kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    fields = [*schema.columns, Column(schema.target, Kind.NUMERIC)]
    writers: dict[str, pq.ParquetWriter] = {}
    counts = dict.fromkeys(SPLITS, 0)
    findings = Findings()
    seen: set[int] = set()
    total = sum(stats.rows for _, stats in raw.values()) or 1
    done = 0
    try:
        for key, (path, stats) in raw.items():
            labels = split_labels(stats.rows, plan) if plan.mode == "one" else None
            offset = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
                table, keep = _typed_batch(batch, fields, schema, choices, findings, offset, stats)
                parts = _route(table, keep, labels, offset, key)
                for split, part in parts.items():
                    if split == "train" and schema.task.is_classification:
                        seen |= _present_classes(part.column(schema.target))
                    if split not in writers:
                        writers[split] = pq.ParquetWriter(folder / f"{split}.parquet", part.schema)
                    writers[split].write_table(part)
                    counts[split] += part.num_rows
                offset += batch.num_rows
                done += batch.num_rows
                progress(done / total)
    finally:
        for writer in writers.values():
            writer.close()
    problems = findings.texts()
    problems += [f"The {s} split has no rows." for s in SPLITS if counts[s] == 0 and not problems]
    if schema.task.is_classification and len(seen) < 2 and not problems:
        problems.append(f"The train split: target {schema.target!r} needs at least two classes.")
    if problems:
        for split in SPLITS:
            (folder / f"{split}.parquet").unlink(missing_ok=True)
    return counts, problems


def _present_classes(column: pa.ChunkedArray) -> set[int]:
    codes = [chunk.indices for chunk in column.chunks]
    return {int(c) for chunk in codes for c in pc.unique(chunk).to_pylist() if c is not None}


def _route(
    table: pa.Table, keep: np.ndarray, labels: np.ndarray | None, offset: int, key: str
) -> dict[str, pa.Table]:
    if labels is None:
        return {key: table.filter(pa.array(keep))}
    chunk = labels[offset : offset + table.num_rows]
    return {split: table.filter(pa.array(keep & (chunk == index))) for index, split in enumerate(SPLITS)}


def _typed_batch(
    batch: pa.RecordBatch,
    fields: list[Column],
    schema: Schema,
    choices: Mapping[str, str],
    findings: Findings,
    offset: int,
    stats: FileStats,
) -> tuple[pa.Table, np.ndarray]:
    keep = np.ones(batch.num_rows, dtype=bool)
    arrays: dict[str, pa.Array] = {}
    for column in fields:
        raw = batch.column(batch.schema.get_field_index(column.name))
        is_target = column.name == schema.target and column is fields[-1]
        values, drop, bad = _convert(raw, column, schema if is_target else None, choices)
        keep &= ~np.asarray(drop.to_numpy(zero_copy_only=False), dtype=bool)
        for what, mask in bad.items():
            findings.add((stats.label, column.name, what), mask, offset, stats)
        arrays[column.name] = values
    return pa.table(arrays), keep


def _convert(
    raw: pa.Array, column: Column, target_of: Schema | None, choices: Mapping[str, str]
) -> tuple[pa.Array, pa.Array, dict[str, pa.Array]]:
    """The typed column, the rows a choice drops, and masks of values the schema refuses."""
    drop = pa.array(np.zeros(len(raw), dtype=bool))
    values = raw
    if pa.types.is_string(raw.type):
        values, drop = _text_choices(raw, column.name, choices)
    bad: dict[str, pa.Array] = {}
    if target_of is not None and target_of.task.is_classification:
        typed, bad["a class the schema does not list"] = _codes(values, target_of.classes)
    elif target_of is not None or column.kind is Kind.NUMERIC:
        typed, odd = _numbers(values)
        choice = choices.get(f"{column.name}/non_numeric")
        if choice == "drop":
            drop = pc.or_(drop, odd)
        elif choice != "missing":
            bad["not a number"] = odd
    elif column.kind is Kind.CATEGORICAL:
        typed, bad["a value that is not one of the column's categories"] = _codes(values, column.categories)
    else:
        typed, bad["not a boolean (true/false, yes/no, 1/0)"] = _booleans(values)
    if target_of is not None or not column.nullable:
        what = "a missing target" if target_of is not None else "a missing value (the column allows none)"
        reported = pa.array(np.zeros(len(raw), dtype=bool))
        for mask in bad.values():
            reported = pc.or_(reported, mask)
        bad[what] = pc.and_(pc.is_null(typed), pc.invert(pc.or_(drop, reported)))
    return typed, drop, bad


def _text_choices(raw: pa.Array, name: str, choices: Mapping[str, str]) -> tuple[pa.Array, pa.Array]:
    drop = pa.array(np.zeros(len(raw), dtype=bool))
    values = raw
    if choices.get(f"{name}/whitespace") == "strip":
        values = pc.utf8_trim_whitespace(values)
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    na = choices.get(f"{name}/na_values")
    if na in ("missing", "drop"):
        words = pc.fill_null(pc.is_in(values, value_set=NA_SET), False)
        values = pc.if_else(words, pa.scalar(None, pa.string()), values)
        if na == "drop":
            drop = words
    return values, drop


def _numbers(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """float64 values (null where not a finite number) and the mask of present non-numbers."""
    if not pa.types.is_string(values.type):
        numbers = values.cast(pa.float64())
        return numbers, pa.array(np.zeros(len(values), dtype=bool))
    text = pc.utf8_trim_whitespace(values)
    ok = pc.fill_null(pc.match_substring_regex(text, NUMBER), True)
    numbers = pc.cast(pc.if_else(ok, text, pa.scalar(None, pa.string())), pa.float64())
    finite = pc.fill_null(pc.is_finite(numbers), True)
    odd = pc.and_(pc.is_valid(values), pc.invert(pc.and_(ok, finite)))
    return pc.if_else(odd, pa.scalar(None, pa.float64()), numbers), odd


def _codes(values: pa.Array, categories: tuple[str, ...]) -> tuple[pa.Array, pa.Array]:
    """Dictionary codes over exactly ``categories`` and the mask of values not among them."""
    text = values if pa.types.is_string(values.type) else values.cast(pa.string())
    dictionary = pa.array(list(categories), pa.string())
    codes = pc.index_in(text, value_set=dictionary)
    unknown = pc.and_(pc.is_valid(text), pc.is_null(codes))
    return pa.DictionaryArray.from_arrays(codes, dictionary), unknown


def _booleans(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    text = pc.utf8_lower(values if pa.types.is_string(values.type) else values.cast(pa.string()))
    yes = pc.fill_null(pc.is_in(text, value_set=TRUE), False)
    no = pc.fill_null(pc.is_in(text, value_set=FALSE), False)
    out = pc.if_else(yes, 1.0, pc.if_else(no, 0.0, pa.scalar(None, pa.float64())))
    return out, pc.and_(pc.is_valid(text), pc.invert(pc.or_(yes, no)))


def read_split_sample(folder: Path, split: str, *, limit: int, seed: int = 0) -> tuple[pd.DataFrame, int]:
    """At most ``limit`` rows of a typed split (a seeded sample, in file order) and the split's rows,
    read batch by batch: only the sample is ever held whole."""
    source = pq.ParquetFile(folder / f"{split}.parquet")
    total = int(source.metadata.num_rows)
    if total <= limit:
        return source.read().to_pandas(), total
    chosen = np.sort(np.random.default_rng(seed).choice(total, size=limit, replace=False))
    parts, offset = [], 0
    for batch in source.iter_batches(batch_size=BATCH_ROWS):
        low, high = np.searchsorted(chosen, [offset, offset + batch.num_rows])
        parts.append(batch.take(pa.array(chosen[low:high] - offset)))
        offset += batch.num_rows
    return pa.Table.from_batches(parts, schema=source.schema_arrow).to_pandas(), total


def read_split(folder: Path, split: str) -> pd.DataFrame:
    """A typed split as pandas: float64 numbers and categoricals over the schema's categories."""
    return pq.read_table(folder / f"{split}.parquet").to_pandas(split_blocks=True, self_destruct=True)
