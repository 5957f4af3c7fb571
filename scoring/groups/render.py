"""Writing a group tree back out: the canonical text form and plain words for the leaderboard."""

from __future__ import annotations

from typing import Any

from scoring.groups.lexer import is_bare_name, quote
from scoring.groups.tree import COMBINATORS, Tree


def format_number(value: float) -> str:
    """``60`` for whole numbers below 1e16, else the shortest exact form (``0.1``, ``1e+20``)."""
    number = float(value)
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return repr(number)


def format_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value)
    return format_number(value)


def format_column(name: str) -> str:
    return name if is_bare_name(name) else quote(name, "`")


# -- text form --------------------------------------------------------------------------------
def to_text(tree: Tree) -> str:
    """The canonical text of a normalized tree; ``parse_text(to_text(t), schema) == t``."""
    op = tree["op"]
    if op == "all":
        return "all"
    if op in COMBINATORS:
        return f" {op} ".join(_operand_text(arg) for arg in tree["args"])
    if op == "not":
        return f"not ({to_text(tree['arg'])})"
    col = format_column(tree["col"])
    if op in ("in", "not in"):
        return f"{col} {op} [{', '.join(format_literal(v) for v in tree['values'])}]"
    if op == "between":
        return f"{col} between {format_literal(tree['low'])} and {format_literal(tree['high'])}"
    if op in ("is null", "is not null"):
        return f"{col} {op}"
    return f"{col} {op} {format_literal(tree['value'])}"


def _operand_text(node: Tree) -> str:
    text = to_text(node)
    return f"({text})" if node["op"] in COMBINATORS else text


# -- plain words ----------------------------------------------------------------------------
_PHRASES: dict[str, tuple[str, str]] = {
    "<": ("is below", "is not below"),
    "<=": ("is at most", "is not at most"),
    ">": ("is above", "is not above"),
    ">=": ("is at least", "is not at least"),
}


def describe(tree: Tree) -> str:
    """Plain words, e.g. ``"age is at least 60, sex is Female, and race is not White"``."""
    if tree["op"] == "all":
        return "everyone"
    return _words(tree, negated=False)


def _words(node: Tree, *, negated: bool) -> str:
    op = node["op"]
    if op == "not":
        inner = node["arg"]
        if inner["op"] in COMBINATORS or inner["op"] == "not":
            return f"not ({_words(inner, negated=False)})"
        return _words(inner, negated=not negated)
    if op in COMBINATORS:
        parts = [_part_words(arg) for arg in node["args"]]
        text = _join_words(parts, op)
        return f"not ({text})" if negated else text
    return _leaf_words(node, negated)


def _part_words(node: Tree) -> str:
    text = _words(node, negated=False)
    return f"({text})" if node["op"] in COMBINATORS else text


def _join_words(parts: list[str], word: str) -> str:
    if len(parts) == 2:
        return f"{parts[0]} {word} {parts[1]}"
    return ", ".join(parts[:-1]) + f", {word} {parts[-1]}"


def _label(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("-", " ").split()) or name


def _value_words(value: Any) -> str:
    if isinstance(value, str):
        return value
    return format_literal(value)


def _leaf_words(node: Tree, negated: bool) -> str:
    label, op = _label(node["col"]), node["op"]
    if op in ("is null", "is not null"):
        missing = (op == "is null") != negated
        return f"{label} is missing" if missing else f"{label} is not missing"
    if op == "between":
        low, high = _value_words(node["low"]), _value_words(node["high"])
        return f"{label} {'not ' if negated else ''}between {low} and {high}"
    if op in _PHRASES:
        return f"{label} {_PHRASES[op][negated]} {_value_words(node['value'])}"
    values = node["values"] if op in ("in", "not in") else [node["value"]]
    positive = (op in ("==", "in")) != negated
    words = [_value_words(v) for v in values]
    if len(words) == 1:
        return f"{label} is {'' if positive else 'not '}{words[0]}"
    if positive:
        return f"{label} is one of {_join_words(words, 'or')}"
    if len(words) == 2:
        return f"{label} is neither {words[0]} nor {words[1]}"
    return f"{label} is none of {_join_words(words, 'and')}"
