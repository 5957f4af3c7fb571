"""How deeply a JSON text nests, measured without parsing it, so that nothing recursive ever meets
a document nested deeper than its stated limit (Python's ``json`` raises ``RecursionError`` near
1,000 levels, which is not a refusal anyone can act on)."""

from __future__ import annotations

import json
from typing import Any

_OPEN = frozenset("[{")
_CLOSE = frozenset("]}")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (0 for a scalar), counted iteratively;
    brackets inside strings do not count. Malformed text gets a number too: ``json`` judges it."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
    return deepest


def depth_message(what: str, depth: int, limit: int) -> str:
    return f"{what} is nested {depth:,} levels deep; the limit is {limit:,}."


def loads_bounded(text: str, *, max_depth: int, what: str = "The JSON") -> Any:
    """``json.loads(text)`` once its nesting is known to be at most ``max_depth``; ``ValueError``
    (with the depth and the limit, or the parser's message) otherwise."""
    depth = json_depth(text)
    if depth > max_depth:
        raise ValueError(depth_message(what, depth, max_depth))
    return json.loads(text)
