"""One table gives every error code its HTTP status (``bounty.errors.ERROR_STATUS``); the code that
raises a ``DomainError`` names a code only, never a status."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bounty.errors import ERROR_STATUS, DomainError
from scoring.errors import Reason

BOUNTY = Path(__file__).resolve().parents[2] / "bounty"


def domain_error_calls() -> Iterator[tuple[str, ast.Call]]:
    for path in sorted(BOUNTY.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DomainError":
                yield f"{path.relative_to(BOUNTY.parent)}:{node.lineno}", node


def test_every_raised_code_is_in_the_table() -> None:
    calls = list(domain_error_calls())
    assert len(calls) > 50  # the scan finds the raises
    for where, call in calls:
        code = call.args[0] if call.args else next(k.value for k in call.keywords if k.arg == "code")
        if isinstance(code, ast.Constant):
            assert code.value in ERROR_STATUS, f"{where}: {code.value!r} is not in ERROR_STATUS"
        else:  # an engine refusal passed on with its reason code
            assert ast.unparse(code).endswith("reason.value"), f"{where}: a code the table cannot check"


def test_no_raise_passes_an_http_status() -> None:
    for where, call in domain_error_calls():
        assert len(call.args) <= 3, f"{where}: DomainError takes (code, message, field)"
        keywords = ("code", "message", "field", "retry_after")  # retry_after: the Retry-After header
        assert all(k.arg in keywords for k in call.keywords), where


def test_each_code_has_exactly_one_status() -> None:
    source = (BOUNTY / "errors.py").read_text()
    table = next(
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "ERROR_STATUS"
    )
    assert isinstance(table, ast.Dict)
    keys = [k.value for k in table.keys if isinstance(k, ast.Constant)]
    assert len(keys) == len(set(keys)), "a code is listed twice"
    assert all(400 <= status < 600 for status in ERROR_STATUS.values())


def test_every_engine_refusal_has_a_status() -> None:
    refusals = [r for r in Reason if r is not Reason.ACCEPTED]
    assert all(ERROR_STATUS[r.value] == 400 for r in refusals)


def test_an_unknown_code_is_refused_when_the_error_is_made() -> None:
    with pytest.raises(ValueError, match="ERROR_STATUS"):
        DomainError("no_such_code", "Nope.")
    assert DomainError("quota_exceeded", "Used up.").status == 429
