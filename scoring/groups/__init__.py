"""The subgroup language: a group g(x) -> {0, 1} as a JSON predicate tree or its text form.

Null semantics: every comparison, ``in``, ``not in`` and ``between`` is False on a missing value;
``not`` is plain boolean negation (so ``not (age >= 60)`` includes rows with missing age);
``is null`` / ``is not null`` test missingness. See ``docs/groups.md``.
"""

from scoring.groups.evaluate import evaluate
from scoring.groups.parser import MAX_TEXT, parse_text
from scoring.groups.render import describe, to_text
from scoring.groups.tree import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_STRING,
    MAX_VALUES,
    Tree,
    columns_used,
    tree_depth,
    tree_size,
)
from scoring.groups.validate import MAX_JSON_DEPTH, loads_tree, validate_tree

__all__ = [
    "MAX_DEPTH",
    "MAX_JSON_DEPTH",
    "MAX_NODES",
    "MAX_STRING",
    "MAX_TEXT",
    "MAX_VALUES",
    "Tree",
    "columns_used",
    "describe",
    "evaluate",
    "loads_tree",
    "parse_text",
    "to_text",
    "tree_depth",
    "tree_size",
    "validate_tree",
]
