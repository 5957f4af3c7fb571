"""Slice discovery: ``scoring.explore`` on a generated census-like table with planted bad slices,
against exhaustive enumeration of every one- and two-column slice.

    python -m benchmarks.explore --rows 1000000 --json

The table has 40 feature columns (8 numeric, some with missing values, 2 boolean, 30 categorical of
2 to 12 categories with skewed frequencies) and a per-row 0-1 loss drawn at 0.12, higher on four
planted slices (two of two columns, two of one). ``seconds`` and ``peak_bytes`` (tracemalloc's peak, in a
second run) are those of ``explore`` itself: binning, every table, the top slices and their figures.
``recall_top10`` is the share of the exhaustive top ten that ``explore`` returns; the exhaustive
enumeration is written independently here (pandas ``groupby`` on the same levels and the score
written out again). With ``--sliceline-rows`` the ``sliceline`` package is run on the first rows of
the table and checked against the exhaustive top ten under its own rules (``sliceline_seconds``,
``sliceline_peak_rss_bytes``, the process's peak after it, and ``sliceline_recall_top10``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import time
import tracemalloc
from typing import Any

import numpy as np
import pandas as pd

from scoring.explore import Scoring, explore
from scoring.explore.counts import Coded, code
from scoring.explore.landscape import default_cuts
from scoring.schema import Column, Kind, Schema, Task

NUMERIC = 8
BOOLEAN = 2
CATEGORICAL = 30
TOP = 10
BASE_LOSS = 0.12


def schema() -> Schema:
    columns = [Column(f"n{i}", Kind.NUMERIC) for i in range(NUMERIC)]
    columns += [Column(f"b{i}", Kind.BOOLEAN) for i in range(BOOLEAN)]
    columns += [
        Column(f"c{i}", Kind.CATEGORICAL, tuple(f"k{j}" for j in range(2 + i % 11)))
        for i in range(CATEGORICAL)
    ]
    return Schema(columns=tuple(columns), target="y", task=Task.BINARY, classes=("no", "yes"))


def table(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The frame (canonical form) and each row's 0-1 loss."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {}
    for i in range(NUMERIC):
        values = np.round(rng.gamma(2.0 + i, 10.0, rows), 0 if i % 2 else 1)
        if i % 3 == 0:
            values[rng.random(rows) < 0.02] = np.nan  # missing, as in real tables
        data[f"n{i}"] = values
    for i in range(BOOLEAN):
        data[f"b{i}"] = (rng.random(rows) < 0.3 + 0.2 * i).astype(np.float64)
    for i in range(CATEGORICAL):
        size = 2 + i % 11
        weights = 1.0 / np.arange(1, size + 1)  # skewed: a few common categories, a tail of rare ones
        codes = rng.choice(size, rows, p=weights / weights.sum()).astype(np.int16)
        if i % 7 == 0:
            codes[rng.random(rows) < 0.01] = -1
        data[f"c{i}"] = pd.Categorical.from_codes(codes, categories=[f"k{j}" for j in range(size)])
    frame = pd.DataFrame(data)
    rate = np.full(rows, BASE_LOSS)
    rate[(frame["c3"] == "k2") & (frame["c11"] == "k0")] = 0.45
    rate[(frame["n2"] >= 60) & (frame["c5"] == "k1")] = 0.40
    rate[frame["c17"] == "k3"] = 0.30
    rate[frame["c20"].isna() & (frame["b1"] == 1.0)] = 0.50
    return frame, (rng.random(rows) < rate).astype(np.float64)


def exhaustive(
    coded: Coded, loss: np.ndarray, scoring: Scoring, k: int, *, beat_parents: bool = True
) -> list[tuple[tuple[int, int], ...]]:
    """The top ``k`` slices of one or two columns, by pandas ``groupby`` and the score written out;
    ``beat_parents``: a two-column slice only when it scores above both its one-column slices (the
    explore rule; SliceLine has no such rule)."""
    n, mean = len(loss), float(loss.mean())
    frame = pd.DataFrame({str(i): codes for i, codes in enumerate(coded.codes)})
    frame["loss"] = loss
    single: dict[tuple[int, int], float] = {}
    found: list[tuple[float, tuple[tuple[int, int], ...]]] = []
    for column in range(len(coded.columns)):
        stats = frame.groupby(str(column))["loss"].agg(["size", "sum"])
        for level, (rows, total) in stats.iterrows():
            single[(column, int(level))] = _score(rows, total, n, mean, scoring)
            found.append((single[(column, int(level))], ((column, int(level)),)))
    for a, b in itertools.combinations(range(len(coded.columns)), 2):
        stats = frame.groupby([str(a), str(b)])["loss"].agg(["size", "sum"])
        for (level_a, level_b), (rows, total) in stats.iterrows():
            key = ((a, int(level_a)), (b, int(level_b)))
            score = _score(rows, total, n, mean, scoring)
            if not beat_parents or score > max(single[key[0]], single[key[1]]):
                found.append((score, key))
    found = [item for item in found if item[0] > 0]
    found.sort(key=lambda item: -item[0])
    return [key for _, key in found[:k]]


def _score(rows: float, total: float, n: int, mean: float, scoring: Scoring) -> float:
    if rows < scoring.min_rows:
        return -np.inf
    return float(scoring.alpha * (total / rows / mean - 1) - (1 - scoring.alpha) * (n / rows - 1))


def found_keys(coded: Coded, landscape: dict[str, Any]) -> set[tuple[tuple[int, int], ...]]:
    """Each slice ``explore`` returned, as (column, level) index pairs."""
    index = {
        (column, level.name): (c, number)
        for c, column in enumerate(coded.columns)
        for number, level in enumerate(coded.levels[c])
    }
    return {
        tuple(sorted(index[column, level] for column, level in item["levels"]))
        for item in landscape["slices"]
    }


def with_sliceline(coded: Coded, loss: np.ndarray, scoring: Scoring, rows: int) -> dict[str, Any]:
    from sliceline import Slicefinder

    codes = np.column_stack([c[:rows] for c in coded.codes])
    part = loss[:rows]
    start = time.perf_counter()
    finder = Slicefinder(alpha=scoring.alpha, k=TOP, max_l=2, min_sup=scoring.min_rows, verbose=False)
    finder.fit(codes, part)
    seconds = time.perf_counter() - start
    got = set()
    for row in finder.top_slices_:
        got.add(tuple((c, int(v)) for c, v in enumerate(row) if v is not None))
    sub = Coded(coded.columns, tuple(c[:rows] for c in coded.codes), coded.levels)
    truth = exhaustive(sub, part, scoring, TOP, beat_parents=False)
    return {
        "sliceline_rows": rows,
        "sliceline_seconds": round(seconds, 2),
        "sliceline_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "sliceline_recall_top10": round(len(got & set(truth)) / max(1, len(truth)), 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sliceline-rows", type=int, default=0, help="also run sliceline on this many rows")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    the_schema = schema()
    frame, loss = table(args.rows, args.seed)
    scoring = Scoring()
    start = time.perf_counter()
    landscape = explore(frame, the_schema, loss, scoring=scoring, top_k=TOP)
    seconds = time.perf_counter() - start
    tracemalloc.start()  # a second run for the memory: tracing every allocation slows it down
    explore(frame, the_schema, loss, scoring=scoring, top_k=TOP)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    names = tuple(the_schema.feature_names)
    coded = code(frame, the_schema, names, default_cuts(frame, the_schema, names))
    truth = exhaustive(coded, loss, scoring, TOP)
    got = found_keys(coded, landscape)
    result: dict[str, Any] = {
        "rows": args.rows,
        "columns": len(names),
        "seconds": round(seconds, 2),
        "peak_bytes": int(peak),
        "recall_top10": round(len(got & set(truth)) / max(1, len(truth)), 2),
        "top": [item["text"] for item in landscape["slices"][:4]],
    }
    if args.sliceline_rows:
        result.update(with_sliceline(coded, loss, scoring, min(args.sliceline_rows, args.rows)))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
