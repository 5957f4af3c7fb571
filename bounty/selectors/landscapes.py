"""What Explore shows of a landscape (``bounty.models.Landscape``): its top slices, the loss by each
level of one column and by each pair of levels of two columns. The train landscape comes from public
data, but like the train split itself it is shown only to those who accepted the current terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bounty.models import Competition, Landscape
from bounty.selectors.competitions import AnyUser
from bounty.selectors.downloads import require_terms


@dataclass(frozen=True)
class PairTable:
    """The loss by each pair of levels of two columns: one row a level of the first."""

    first: str
    second: str
    levels: list[str]  # the second column's levels (the table's columns)
    rows: list[tuple[str, list[dict[str, Any]]]]  # (first column's level, cells of rows and loss)


@dataclass(frozen=True)
class ExploreView:
    version: int
    status: str
    error: str
    rows: int = 0
    loss: float | None = None
    scoring: dict[str, Any] = field(default_factory=dict)
    slices: list[dict[str, Any]] = field(default_factory=list)
    columns: list[dict[str, Any]] = field(default_factory=list)
    column: dict[str, Any] | None = None  # the chosen column's levels
    pair: PairTable | None = None

    @property
    def ready(self) -> bool:
        return self.status == Landscape.Status.DONE


def explore_access(*, competition: Competition, user: AnyUser) -> None:
    """Refuse Explore to anyone who may not download the train split."""
    require_terms(competition, user)


def explore_view(
    *, landscape: Landscape, column: str | None = None, pair: tuple[str, str] | None = None
) -> ExploreView:
    """The page's view of ``landscape``; ``column`` and ``pair`` name what to break down (defaults:
    the column and the pair of the top slice)."""
    data = landscape.data if landscape.status == Landscape.Status.DONE else None
    if not data:
        return ExploreView(version=landscape.version, status=landscape.status, error=landscape.error)
    names = [c["name"] for c in data["columns"]]
    top = [name for name, _ in data["slices"][0]["levels"]] if data["slices"] else names[:2]
    chosen = column if column in names else top[0]
    first, second = (
        pair if pair and pair[0] in names and pair[1] in names and pair[0] != pair[1] else (top + names)[:2]
    )
    if first == second:
        second = next(name for name in names if name != first)
    return ExploreView(
        version=landscape.version,
        status=landscape.status,
        error=landscape.error,
        rows=data["rows"],
        loss=data["loss"],
        scoring=data["scoring"],
        slices=data["slices"],
        columns=data["columns"],
        column=data["columns"][names.index(chosen)],
        pair=_pair(data, names, first, second) if first != second else None,
    )


def _pair(data: dict[str, Any], names: list[str], first: str, second: str) -> PairTable:
    a, b = names.index(first), names.index(second)
    table = next(p for p in data["pairs"] if sorted(p["columns"]) == sorted([a, b]))
    rows, loss = table["rows"], table["loss"]
    if table["columns"] != [a, b]:  # stored in column order: turn it round
        rows, loss = [list(r) for r in zip(*rows, strict=True)], [list(r) for r in zip(*loss, strict=True)]
    first_levels = [level["name"] for level in data["columns"][a]["levels"]]
    second_levels = [level["name"] for level in data["columns"][b]["levels"]]
    shown = [j for j in range(len(second_levels)) if any(row[j] for row in rows)]  # no empty level
    cells = [
        (name, [{"rows": rows[i][j], "loss": loss[i][j]} for j in shown])
        for i, name in enumerate(first_levels)
        if sum(rows[i])
    ]
    return PairTable(first=first, second=second, levels=[second_levels[j] for j in shown], rows=cells)
