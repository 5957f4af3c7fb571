"""What the organizer must decide about their files before anything is typed: the problems the reader
found, each with its rows, counts and the choices that resolve it.

Problems are keyed ``"<column>/<kind>"`` (``"rows/ragged"`` for rows with the wrong number of
fields), the same keys the competition definition's ``problems:`` section uses. Nothing is resolved
by default: a value is changed only by a choice the organizer made.

- ``ragged``: a CSV row has more or fewer fields than the header; choice ``drop``.
- ``non_numeric``: a column of numbers holds a few other values; ``missing``, ``drop`` or ``categorical``.
- ``na_values``: a text column holds "NA"-like words ("NA", "None"); ``category``, ``missing`` or ``drop``.
- ``whitespace``: text values start or end with spaces; ``keep`` or ``strip``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bounty.errors import DomainError
from bounty.wizard.stats import NA_WORDS, ColumnStats, FileStats

CHOICES: dict[str, tuple[str, ...]] = {
    "ragged": ("drop",),
    "non_numeric": ("missing", "drop", "categorical"),
    "na_values": ("category", "missing", "drop"),
    "whitespace": ("keep", "strip"),
}
EXPLAIN = {
    "drop": "leave these rows out of every split",
    "missing": "treat these values as missing",
    "categorical": "make the column categorical (every value a category, kept exactly)",
    "category": "keep these words as categories of their own",
    "keep": "keep the values exactly as written (groups must spell the spaces too)",
    "strip": "remove the spaces at both ends, in the data and the schema alike",
}
TOP_VALUES = 10


@dataclass(frozen=True)
class Place:
    file: str
    count: int
    rows: list[int]  # the first data rows (row 1 follows the header)


@dataclass(frozen=True)
class Problem:
    key: str
    kind: str
    column: str | None
    message: str
    count: int
    places: list[Place]
    values: dict[str, int] = field(default_factory=dict)  # the odd values and how often each occurs

    @property
    def choices(self) -> tuple[str, ...]:
        return CHOICES[self.kind]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = {c: EXPLAIN[c] for c in self.choices}
        return data

    def text(self) -> str:
        """One line naming the files, rows and counts."""
        where = "; ".join(f"{p.file}: {p.count:,} rows, first {_rows(p.rows)}" for p in self.places)
        return f"{self.message} ({where}). Choose {' / '.join(self.choices)} for {self.key!r}."


def find_problems(files: Sequence[FileStats]) -> list[Problem]:
    """Every problem in the files, ragged rows first, then by column order."""
    found = [p for p in (_ragged(files),) if p is not None]
    for name in column_names(files):
        entries = [(f.label, _column(f, name)) for f in files]
        found += [p for p in (_non_numeric(name, entries), _na_values(name, entries)) if p]
        found += [p for p in (_whitespace(name, entries),) if p]
    return found


def column_names(files: Sequence[FileStats]) -> list[str]:
    return [c.name for c in files[0].columns]


def unresolved(problems: Iterable[Problem], choices: Mapping[str, str], ignored: set[str]) -> list[Problem]:
    """The problems without a valid choice (problems of ignored columns need none)."""
    return [p for p in problems if p.column not in ignored and choices.get(p.key) not in p.choices]


def check_choices(problems: Sequence[Problem], choices: Mapping[str, str]) -> None:
    """Refuse a choice for a problem that does not exist, or one that problem does not offer."""
    known = {p.key: p for p in problems}
    for key, choice in choices.items():
        if key not in known:
            message = f"There is no problem {key!r} in the data (problems: {', '.join(known) or 'none'})."
            raise DomainError("invalid_choice", message, field="problems")
        if choice not in known[key].choices:
            options = ", ".join(known[key].choices)
            raise DomainError(
                "invalid_choice", f"{key!r}: choose one of {options}, not {choice!r}.", "problems"
            )


def _column(stats: FileStats, name: str) -> ColumnStats:
    return next(c for c in stats.columns if c.name == name)


def _ragged(files: Sequence[FileStats]) -> Problem | None:
    places = [Place(f.label, f.ragged_count, f.ragged) for f in files if f.ragged_count]
    if not places:
        return None
    expected = files[0].expected_fields
    message = f"Rows with a different number of fields than the header's {expected} were left out"
    return Problem("rows/ragged", "ragged", None, message, sum(p.count for p in places), places)


def _non_numeric(name: str, entries: list[tuple[str, ColumnStats]]) -> Problem | None:
    if any(e.text or not e.textual for _, e in entries):
        return None
    odd = {label: e for label, e in entries if e.present > e.numeric}
    if not odd or not any(e.numeric for _, e in entries):
        return None
    values = _merge(e.odd_rows for e in odd.values())
    places = [Place(label, e.present - e.numeric, _first(e.odd_rows)) for label, e in odd.items()]
    counts: dict[str, int] = {}
    for entry in odd.values():
        for value, count in entry.odd_counts.items():
            counts[value] = counts.get(value, 0) + count
    counts = dict(sorted(counts.items(), key=lambda kv: -kv[1])[:TOP_VALUES])
    shown = ", ".join(repr(v) for v in list(counts)[:3])
    message = f"Column {name!r} holds numbers and {len(values)} other value(s) such as {shown}"
    if any(e.odd_overflow for e in odd.values()):
        message = f"Column {name!r} holds numbers and more than 50 other values, such as {shown}"
    return Problem(
        f"{name}/non_numeric", "non_numeric", name, message, sum(p.count for p in places), places, counts
    )


def _na_values(name: str, entries: list[tuple[str, ColumnStats]]) -> Problem | None:
    if not all(e.text or (e.textual and not e.numeric) for _, e in entries):
        return None
    places = [
        Place(label, sum((e.counts or {}).get(w, 0) for w in e.na_rows), _first(e.na_rows))
        for label, e in entries
        if e.na_rows
    ]
    if not places:
        return None
    words = _value_counts(_merge(e.na_rows for _, e in entries), [e for _, e in entries])
    shown = ", ".join(repr(w) for w in words)
    message = f"Column {name!r} holds {shown}, which could be categories or could mean missing"
    return Problem(
        f"{name}/na_values", "na_values", name, message, sum(p.count for p in places), places, words
    )


def _whitespace(name: str, entries: list[tuple[str, ColumnStats]]) -> Problem | None:
    if not all(e.text or (e.textual and not e.numeric) for _, e in entries):
        return None
    padded: dict[str, int] = {}
    for _, entry in entries:
        for value, count in (entry.counts or {}).items():
            if value != value.strip():
                padded[value] = padded.get(value, 0) + count
    if not padded:
        return None
    places = [Place(label, sum((e.counts or {}).get(v, 0) for v in padded), []) for label, e in entries]
    shown = ", ".join(repr(v) for v in list(padded)[:3])
    message = f"Column {name!r} has values with spaces at an end, such as {shown}"
    top = dict(sorted(padded.items(), key=lambda kv: -kv[1])[:TOP_VALUES])
    return Problem(
        f"{name}/whitespace",
        "whitespace",
        name,
        message,
        sum(padded.values()),
        [p for p in places if p.count],
        top,
    )


def _merge(parts: Iterable[dict[str, list[int]]]) -> dict[str, list[int]]:
    merged: dict[str, list[int]] = {}
    for part in parts:
        for value, rows in part.items():
            merged.setdefault(value, []).extend(rows)
    return merged


def _first(rows: dict[str, list[int]]) -> list[int]:
    return sorted(r for found in rows.values() for r in found)[:10]


def _value_counts(values: dict[str, list[int]], entries: list[ColumnStats]) -> dict[str, int]:
    counts = {v: sum((e.counts or {}).get(v, 0) for e in entries) or len(rows) for v, rows in values.items()}
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:TOP_VALUES])


def _rows(rows: list[int]) -> str:
    return "row " + ", ".join(map(str, rows)) if rows else "rows not recorded"


def is_na_word(value: str) -> bool:
    return value in NA_WORDS
