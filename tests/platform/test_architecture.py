"""The shape of the code: no import cycle anywhere in the platform (the layers themselves are the
contracts in ``pyproject.toml``, checked by ``lint-imports`` in ``make lint``), and one place that
changes a submission's status."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest


def strongly_connected(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            groups.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return groups


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    return [g for g in strongly_connected(graph, modules) if len(g) > 1]


@pytest.mark.parametrize(("package", "least"), [("bounty", 100), ("scoring", 50), ("bounty_client", 8)])
def test_no_distribution_has_an_import_cycle(package: str, least: int) -> None:
    """The platform, the engine and the participant's client, each on its own."""
    graph = grimp.build_graph(package)
    modules = {m for m in graph.modules if m == package or m.startswith(f"{package}.")}
    assert len(modules) > least  # the graph holds the whole package
    assert cycles(graph, modules) == []


def test_a_cycle_is_found_when_there_is_one() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(name)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert cycles(graph, {"a.one", "a.two", "a.three"}) == [["a.one", "a.two"]]


def test_only_the_state_table_changes_a_submissions_status() -> None:
    """Every ``.update(status=...)`` outside ``bounty/lifecycle/states.py`` is a competition's."""
    root = Path(__file__).resolve().parents[2] / "bounty"
    found = []
    for path in root.rglob("*.py"):
        if path == root / "lifecycle" / "states.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "update"
                and any(k.arg == "status" for k in node.keywords)
            ):
                found.append((path.relative_to(root).as_posix(), ast.unparse(node.func.value)))
    assert found  # the scan sees the competitions' own status changes
    assert all(receiver.startswith("Competition.objects") for _, receiver in found), found
