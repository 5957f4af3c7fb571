"""The recursive-descent parser of the group text form.

Grammar (keywords are case-insensitive; ``and`` binds tighter than ``or``)::

    group     := ("all" | "everyone") END | or_expr END
    or_expr   := and_expr ("or" and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | "(" or_expr ")" | condition
    condition := column ( ("==" | "!=" | "<" | "<=" | ">" | ">=") literal
                        | ["not"] "in" "[" [literal ("," literal)* [","]] "]"
                        | "between" literal "and" literal
                        | "is" ["not"] "null" )
    column    := NAME | `QUOTED NAME`
    literal   := NUMBER | STRING | "true" | "false"

Chains of one operator (``a and b and c``) become one node; parentheses keep their own node.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.errors import EngineError
from scoring.groups.lexer import KEYWORDS, Token, tokenize, where
from scoring.groups.tree import Tree, invalid, shorten
from scoring.groups.validate import column_error, validate_tree
from scoring.schema import Schema

MAX_TEXT = 4000
MAX_NESTING = 32
_CONDITION_HINT = "'==', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'between', 'is null'"


def parse_text(text: str, schema: Schema) -> Tree:
    """The validated, normalized tree of a group written in the text form."""
    if not isinstance(text, str):
        raise invalid("the group text must be a string", "text")
    if len(text) > MAX_TEXT:
        raise invalid(f"the group text has {len(text)} characters; at most {MAX_TEXT}", "text")
    if not text.strip():
        raise invalid("the group text is empty; write a condition such as 'age >= 60', or 'all'", "text")
    return validate_tree(_Parser(text, schema).parse(), schema)


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self.text = text
        self.schema = schema
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0

    # -- token helpers ------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def at_keyword(self, word: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "name" and str(token.value).lower() == word

    def at_punct(self, char: str) -> bool:
        token = self.peek()
        return token.kind == "punct" and token.value == char

    def error(self, token: Token, expected: str) -> EngineError:
        if token.kind == "end":
            found = "end of text"
        elif token.kind == "string":
            found = f"text {shorten(token.text, 40)}"
        else:
            found = repr(shorten(token.text, 40))
        return invalid(f"unexpected {found} at {where(self.text, token.pos)}; expected {expected}", "text")

    def expect_keyword(self, word: str) -> None:
        if not self.at_keyword(word):
            raise self.error(self.peek(), f"'{word}'")
        self.advance()

    def expect_punct(self, char: str, expected: str) -> None:
        if not self.at_punct(char):
            raise self.error(self.peek(), expected)
        self.advance()

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise invalid(
                f"too many nested parentheses or 'not's at {where(self.text, token.pos)} "
                f"(at most {MAX_NESTING})",
                "text",
            )

    # -- grammar ------------------------------------------------------------------------------
    def parse(self) -> Tree:
        if (self.at_keyword("all") or self.at_keyword("everyone")) and self.peek(1).kind == "end":
            return {"op": "all"}
        tree = self.or_expr()
        if self.peek().kind != "end":
            raise self.error(self.peek(), "'and', 'or' or the end of the group")
        return tree

    def or_expr(self) -> Tree:
        return self.chain("or", self.and_expr)

    def and_expr(self) -> Tree:
        return self.chain("and", self.not_expr)

    def chain(self, word: str, operand: Callable[[], Tree]) -> Tree:
        args: list[Tree] = [operand()]
        while self.at_keyword(word):
            self.advance()
            args.append(operand())
        return args[0] if len(args) == 1 else {"op": word, "args": args}

    def not_expr(self) -> Tree:
        token = self.peek()
        if self.at_keyword("not"):
            self.advance()
            self.enter(token)
            inner = self.not_expr()
            self.nesting -= 1
            return {"op": "not", "arg": inner}
        if self.at_punct("("):
            self.advance()
            self.enter(token)
            inner = self.or_expr()
            self.expect_punct(")", "')' or 'and' / 'or'")
            self.nesting -= 1
            return inner
        return self.condition()

    def condition(self) -> Tree:
        name = self.column()
        token = self.peek()
        if token.kind == "op":
            self.advance()
            return {"col": name, "op": token.value, "value": self.literal()}
        if self.at_keyword("not") and self.at_keyword("in", 1):
            self.index += 2
            return {"col": name, "op": "not in", "values": self.values()}
        if self.at_keyword("in"):
            self.advance()
            return {"col": name, "op": "in", "values": self.values()}
        if self.at_keyword("between"):
            self.advance()
            low = self.literal()
            self.expect_keyword("and")
            return {"col": name, "op": "between", "low": low, "high": self.literal()}
        if self.at_keyword("is"):
            self.advance()
            negated = self.at_keyword("not")
            if negated:
                self.advance()
            self.expect_keyword("null")
            return {"col": name, "op": "is not null" if negated else "is null"}
        raise self.error(token, f"a comparison after column {shorten(name)!r} ({_CONDITION_HINT})")

    def column(self) -> str:
        token = self.peek()
        bare = token.kind == "name" and str(token.value).lower() not in KEYWORDS
        if not bare and token.kind != "quoted_name":
            raise self.error(token, self.column_hint(token))
        self.advance()
        name = str(token.value)
        if not self.schema.has_column(name):
            raise column_error(name, self.schema, "text", f" at {where(self.text, token.pos)}")
        return name

    def column_hint(self, token: Token) -> str:
        word = str(token.value)
        if token.kind == "name" and word.lower() in ("all", "everyone"):
            return f"a condition ('{word}' can only stand alone as the whole group)"
        if token.kind == "name" and self.schema.has_column(word):
            return f"a condition (write `{word}` in backquotes for the column named {word!r})"
        return "a column name, 'not' or '('"

    def literal(self) -> object:
        token = self.advance()
        if token.kind in ("number", "string"):
            return token.value
        if token.kind == "name" and str(token.value).lower() in ("true", "false"):
            return str(token.value).lower() == "true"
        if token.kind == "name" and str(token.value).lower() == "null":
            raise self.error(token, "a value (test for missing values with 'is null')")
        if token.kind in ("name", "quoted_name"):
            text = shorten(str(token.value), 40)
            raise self.error(token, f'a value (text values need quotes: "{text}")')
        raise self.error(token, "a value (a number, a quoted text, true or false)")

    def values(self) -> list[object]:
        self.expect_punct("[", "'[' to start a list of values")
        items: list[object] = []
        while not self.at_punct("]"):
            items.append(self.literal())
            if not self.at_punct(","):
                break
            self.advance()
        self.expect_punct("]", "',' or ']' in the list of values")
        return items
