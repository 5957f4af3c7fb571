"""The JSON predicate tree: operators, limits, traversal and shared helpers.

A group is a tree of plain JSON objects:

- leaves ``{"col": c, "op": "==" | "!=" | "<" | "<=" | ">" | ">=", "value": v}``,
  ``{"col": c, "op": "in" | "not in", "values": [...]}``,
  ``{"col": c, "op": "between", "low": a, "high": b}`` and
  ``{"col": c, "op": "is null" | "is not null"}``;
- combinators ``{"op": "and" | "or", "args": [two or more trees]}`` and
  ``{"op": "not", "arg": tree}``;
- ``{"op": "all"}`` (every row), allowed only as the whole tree.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from scoring.errors import EngineError, Reason
from scoring.schema import Column

Tree = dict[str, Any]

MAX_NODES = 64
MAX_DEPTH = 8
MAX_VALUES = 256
MAX_STRING = 200

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
LIST_OPS = ("in", "not in")
NULL_OPS = ("is null", "is not null")
ORDERING = frozenset({"<", "<=", ">", ">=", "between"})
COMBINATORS = ("and", "or")

LEAF_KEYS: dict[str, tuple[str, ...]] = {
    **{op: ("col", "op", "value") for op in COMPARISONS},
    **{op: ("col", "op", "values") for op in LIST_OPS},
    "between": ("col", "op", "low", "high"),
    **{op: ("col", "op") for op in NULL_OPS},
}
ALL_OPS = (*LEAF_KEYS, *COMBINATORS, "not", "all")


def invalid(message: str, field: str | None) -> EngineError:
    """The error for every refused group."""
    return EngineError(Reason.INVALID_GROUP, message, field=field)


def suggest(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or an empty string."""
    by_lower = {c.lower(): c for c in choices}
    match = by_lower.get(word.lower())
    if match is None:
        close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
        match = close[0] if close else None
    return f"; did you mean {match!r}?" if match is not None else ""


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for an error message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@lru_cache(maxsize=512)
def category_index(column: Column) -> dict[str, int]:
    """Each allowed value of a categorical column mapped to its code (schema order)."""
    return {value: code for code, value in enumerate(column.categories)}


def children(node: object) -> list[object]:
    """The direct sub-trees of ``node`` (tolerates malformed nodes)."""
    if not isinstance(node, dict):
        return []
    args = node.get("args")
    if isinstance(args, list):
        return list(args)
    arg = node.get("arg")
    return [arg] if isinstance(arg, dict) else []


def _walk(tree: object) -> Iterator[tuple[object, int]]:
    stack: list[tuple[object, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in children(node))


def tree_size(tree: object) -> int:
    """The number of nodes: every condition and every combinator (``all`` counts one)."""
    return sum(1 for _ in _walk(tree))


def tree_depth(tree: object) -> int:
    """The number of nodes on the longest root-to-leaf path (a single condition has depth 1)."""
    return max(depth for _, depth in _walk(tree))


def columns_used(tree: object) -> set[str]:
    """The names of the columns the tree reads."""
    return {
        node["col"] for node, _ in _walk(tree) if isinstance(node, dict) and isinstance(node.get("col"), str)
    }
