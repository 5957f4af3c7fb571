"""Rows and loss of every level of every column and of every pair of levels of two columns, by
counting: one ``bincount`` of the rows' level codes (a pair's codes combined into one) for the rows,
one weighted by the rows' losses for the loss. Exact, and linear in rows x column pairs."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.bins import Level, levels
from scoring.schema import Schema


@dataclass(frozen=True)
class Coded:
    """A frame's chosen columns as level codes (int16, one array a column) and their levels."""

    columns: tuple[str, ...]
    codes: tuple[np.ndarray, ...]
    levels: tuple[tuple[Level, ...], ...]

    @property
    def rows(self) -> int:
        return len(self.codes[0]) if self.codes else 0


@dataclass(frozen=True)
class Table:
    """Rows and loss sum of each level (one column: shape (L,)) or pair of levels (two: (La, Lb))."""

    columns: tuple[int, ...]  # indexes into ``Coded.columns``
    rows: np.ndarray  # int64
    loss: np.ndarray  # float64: the sum of the rows' losses


def code(
    frame: pd.DataFrame, schema: Schema, columns: tuple[str, ...], cuts: dict[str, list[float]]
) -> Coded:
    """``frame``'s ``columns`` (canonical form) as level codes; numeric columns cut at ``cuts``."""
    coded = [levels(frame[name], schema.column(name), cuts.get(name, ())) for name in columns]
    return Coded(
        columns=columns,
        codes=tuple(codes for codes, _ in coded),
        levels=tuple(tuple(found) for _, found in coded),
    )


def singles(coded: Coded, loss: np.ndarray) -> list[Table]:
    """One table a column."""
    out = []
    for index, (codes, found) in enumerate(zip(coded.codes, coded.levels, strict=True)):
        size = len(found)
        rows = np.bincount(codes, minlength=size)
        sums = np.bincount(codes, weights=loss, minlength=size)
        out.append(Table((index,), rows, sums))
    return out


def pairs(coded: Coded, loss: np.ndarray) -> list[Table]:
    """One table a pair of columns (in column order)."""
    out = []
    for a, b in itertools.combinations(range(len(coded.columns)), 2):
        size_a, size_b = len(coded.levels[a]), len(coded.levels[b])
        key = coded.codes[a].astype(np.int32) * size_b + coded.codes[b]
        rows = np.bincount(key, minlength=size_a * size_b).reshape(size_a, size_b)
        sums = np.bincount(key, weights=loss, minlength=size_a * size_b).reshape(size_a, size_b)
        out.append(Table((a, b), rows, sums))
    return out
