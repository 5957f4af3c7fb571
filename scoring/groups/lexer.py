"""The tokenizer of the group text form (hand-written; nothing is ever evaluated).

Tokens: names (``age``, ``capital-gain``; any name in backquotes: `` `weird col` ``), strings in
single or double quotes with backslash escapes, numbers (``-1.5e3``), comparison operators and
``( ) [ ] ,``. Keywords (``and or not in is null between true false all everyone``) are names
matched case-insensitively by the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.groups.tree import invalid

KEYWORDS = frozenset({"and", "or", "not", "in", "is", "null", "between", "true", "false", "all", "everyone"})
ESCAPES = {"\\": "\\", '"': '"', "'": "'", "`": "`", "n": "\n", "t": "\t", "r": "\r"}
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_PUNCT = frozenset("()[],")
_OPERATOR_START = frozenset("=!<>")


@dataclass(frozen=True)
class Token:
    kind: str  # "name" (bare), "quoted_name" (backquoted), "string", "number", "op", "punct", "end"
    text: str  # the source text, for messages
    value: object  # name or string text, int/float for numbers, the operator or punctuation
    pos: int  # 0-based offset into the text


def is_name_start(char: str) -> bool:
    return char.isalpha() or char == "_"


def is_name_char(char: str) -> bool:
    return char.isalnum() or char in "_.-"


def is_bare_name(name: str) -> bool:
    """Whether ``name`` can be written without backquotes."""
    return (
        bool(name)
        and is_name_start(name[0])
        and all(is_name_char(c) for c in name[1:])
        and name.lower() not in KEYWORDS
    )


def where(text: str, pos: int) -> str:
    """``"column 17"`` (1-based), or ``"line 2, column 5"`` for text with several lines."""
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    if "\n" not in text:
        return f"column {column}"
    return f"line {text.count(chr(10), 0, pos) + 1}, column {column}"


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` ending with an ``end`` token; raises on a character out of place."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        token = _next_token(text, pos)
        tokens.append(token)
        pos += len(token.text)
    tokens.append(Token("end", "", None, len(text)))
    return tokens


def _next_token(text: str, pos: int) -> Token:
    char = text[pos]
    if char in _PUNCT:
        return Token("punct", char, char, pos)
    if char in _OPERATOR_START:
        return _operator(text, pos)
    if char in "\"'`":
        value, end = read_quoted(text, pos)
        kind = "quoted_name" if char == "`" else "string"
        return Token(kind, text[pos:end], value, pos)
    number = _NUMBER.match(text, pos)
    if number:
        return _number(text, pos, number.group())
    if is_name_start(char):
        end = pos + 1
        while end < len(text) and is_name_char(text[end]):
            end += 1
        return Token("name", text[pos:end], text[pos:end], pos)
    raise invalid(f"unexpected character {char!r} at {where(text, pos)}", "text")


def _operator(text: str, pos: int) -> Token:
    pair = text[pos : pos + 2]
    if pair in ("==", "!=", "<=", ">="):
        return Token("op", pair, pair, pos)
    if text[pos] in "<>":
        return Token("op", text[pos], text[pos], pos)
    hint = "; use '==' to compare" if text[pos] == "=" else "; use '!=' or 'not'"
    raise invalid(f"unexpected {text[pos]!r} at {where(text, pos)}{hint}", "text")


def _number(text: str, pos: int, literal: str) -> Token:
    end = pos + len(literal)
    if end < len(text) and (is_name_char(text[end]) or text[end] in "\"'`"):
        raise invalid(f"unexpected {text[end]!r} at {where(text, end)} after a number", "text")
    is_float = any(c in literal for c in ".eE")
    value: object = float(literal) if is_float else int(literal)
    return Token("number", literal, value, pos)


def read_quoted(text: str, pos: int) -> tuple[str, int]:
    """The text of the quoted string or name starting at ``pos``, and the offset after it."""
    quote = text[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        char = text[i]
        if char == quote:
            return "".join(out), i + 1
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escape = text[i + 1 : i + 2]
        if escape in ESCAPES:
            out.append(ESCAPES[escape])
            i += 2
        elif escape == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
        elif escape:
            raise invalid(
                f"unknown escape '\\{escape}' at {where(text, i)}; write '\\\\' for a backslash",
                "text",
            )
        else:
            break
    kind = "name" if quote == "`" else "string"
    raise invalid(f"unterminated {kind} starting at {where(text, pos)}; add the closing {quote}", "text")


def quote(value: str, mark: str = '"') -> str:
    """``value`` written between ``mark`` quotes so that ``read_quoted`` reads it back exactly."""
    out = [mark]
    for char in value:
        if char == "\\" or char == mark:
            out.append("\\" + char)
        elif char in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[char])
        elif ord(char) < 32 or 0x7F <= ord(char) < 0xA0 or 0xD800 <= ord(char) < 0xE000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append(mark)
    return "".join(out)
