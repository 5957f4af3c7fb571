"""Our own audit of a skops ``schema.json``: every node must be a type on OUR allowlist.

skops' own check adds its defaults (every scikit-learn estimator, including ``FunctionTransformer``,
and every numpy ufunc as a function) to whatever list it is given, so it cannot enforce a tighter
list. This walk runs first, over the raw JSON, and sees every node skops would build: skops only
builds nodes from JSON objects carrying ``__loader__``, and we look at all of them, wherever they
sit. Each loader may only name types from a fixed family (an ``NdArrayNode`` must name a numpy type,
an ``ObjectNode`` a scikit-learn one, ...), and function-bearing nodes are refused except in the
single shape HistGradientBoosting builds for itself.
"""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from typing import Any

from scoring.errors import EngineError, Reason
from scoring.safe_load.trusted import (
    CHECK_ARRAY,
    FUNCTION_TRANSFORMER,
    PARTIAL,
    TRUSTED_TYPES,
)

SUPPORTED_PROTOCOLS = frozenset({2})
MAX_DEPTH = 400
_TRUSTED = frozenset(TRUSTED_TYPES)
_LOADER_FAMILIES: dict[str, tuple[str, ...]] = {
    "DictNode": ("builtins.dict", "sklearn.utils._bunch.Bunch"),
    "ListNode": ("builtins.list",),
    "TupleNode": ("builtins.tuple",),
    "SliceNode": ("builtins.slice",),
    "TypeNode": ("builtins.", "numpy."),
    "NdArrayNode": ("numpy.",),
    "DTypeNode": ("numpy.dtype",),
    "ObjectNode": ("sklearn.",),
    "TreeNode": ("sklearn.tree._tree.Tree",),
    "LossNode": ("sklearn._loss._loss.", "sklearn.linear_model._sgd_fast."),
    "SparseMatrixNode": ("scipy.sparse.",),
    "RandomStateNode": ("numpy.random.mtrand.RandomState",),
    "RandomGeneratorNode": ("numpy.random._generator.Generator",),
}


def _refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def read_schema(data: bytes) -> dict[str, Any]:
    """Parse ``schema.json`` (its size is already bounded by ``check_archive``)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            schema = json.loads(archive.read("schema.json"))
    except RecursionError as exc:
        raise _refuse("schema.json is nested too deeply.") from exc
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise _refuse("schema.json is missing or is not valid JSON.") from exc
    if not isinstance(schema, dict) or "__loader__" not in schema:
        raise _refuse("schema.json does not describe a skops object.")
    protocol = schema.get("protocol")
    if isinstance(protocol, bool) or protocol not in SUPPORTED_PROTOCOLS:
        raise _refuse(
            f"The file was written with skops protocol {str(protocol)[:20]}; this server reads "
            f"protocol {max(SUPPORTED_PROTOCOLS)}. Re-save the model with skops 0.16."
        )
    return schema


def _name(node: dict[str, Any]) -> str:
    module, cls = node.get("__module__"), node.get("__class__")
    if not isinstance(module, str) or not isinstance(cls, str):
        raise _refuse("schema.json has a node without a valid __module__/__class__.")
    return f"{module}.{cls}"


def _is(node: Any, loader: str, name: str | None = None) -> bool:
    if not isinstance(node, dict) or node.get("__loader__") != loader:
        return False
    return name is None or _name(node) == name


def _is_null(node: Any) -> bool:
    return _is(node, "JsonNode") and node.get("content") == "null"


def _content(node: Any) -> dict[str, Any]:
    content = node.get("content") if isinstance(node, dict) else None
    return content if isinstance(content, dict) else {}


def _attrs(node: dict[str, Any]) -> dict[str, Any]:
    """The attribute dict of an ``ObjectNode`` (a ``DictNode``'s content)."""
    content = node.get("content")
    return _content(content) if _is(content, "DictNode") else {}


class _Audit:
    """One pass over the schema tree; collects the names of everything not allowed."""

    def __init__(self) -> None:
        self.refused: set[str] = set()
        self.permitted: set[int] = set()  # id() of function nodes in the sanctioned HGB shape
        self.extra: set[str] = set()  # conditional names seen in their sanctioned shape
        self.used: set[str] = set()  # allowlisted names the file uses

    def run(self, schema: dict[str, Any]) -> None:
        stack: list[tuple[Any, int]] = [(schema, 0)]
        while stack:
            value, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise _refuse("schema.json is nested too deeply.")
            if isinstance(value, dict):
                if "__loader__" in value:
                    self.check_node(value)
                stack.extend((child, depth + 1) for child in value.values())
            elif isinstance(value, list):
                stack.extend((child, depth + 1) for child in value)

    def check_node(self, node: dict[str, Any]) -> None:
        loader = node["__loader__"]
        name = _name(node)
        if loader == "JsonNode":
            return  # plain JSON, decoded with json.loads; no type is imported
        if loader == "ObjectNode" and name == FUNCTION_TRANSFORMER:
            self.check_function_transformer(node)
        elif loader == "PartialNode" and id(node) in self.permitted and name == PARTIAL:
            self.check_partial(node)
        elif loader == "FunctionNode" and id(node) in self.permitted and name == CHECK_ARRAY:
            return
        elif loader == "RandomGeneratorNode":
            self.check_generator(node, name)
        elif not isinstance(loader, str) or loader not in _LOADER_FAMILIES:
            self.refused.add(f"{name} (as {str(loader)[:40]})")
        elif name not in _TRUSTED or not name.startswith(_LOADER_FAMILIES[loader]):
            self.refused.add(name)
        else:
            self.used.add(name)

    def check_function_transformer(self, node: dict[str, Any]) -> None:
        """Allowed without a function (``"passthrough"``) or with HGB's check-array partial."""
        attrs = _attrs(node)
        func = attrs.get("func")
        if not _is_null(attrs.get("inverse_func")):
            self.refused.add(FUNCTION_TRANSFORMER)
        elif _is(func, "PartialNode", PARTIAL):
            self.permitted.add(id(func))
            self.extra.add(FUNCTION_TRANSFORMER)
        elif _is_null(func):
            self.extra.add(FUNCTION_TRANSFORMER)
        else:
            self.refused.add(FUNCTION_TRANSFORMER)

    def check_partial(self, node: dict[str, Any]) -> None:
        content = _content(node)
        func, args = content.get("func"), content.get("args")
        empty_args = isinstance(args, dict) and _is(args, "TupleNode") and args.get("content") == []
        no_namespace = _is_null(content.get("namespace"))
        if _is(func, "FunctionNode", CHECK_ARRAY) and empty_args and no_namespace:
            self.permitted.add(id(func))
            self.extra.update((PARTIAL, CHECK_ARRAY))
        else:
            self.refused.add(PARTIAL)

    def check_generator(self, node: dict[str, Any], name: str) -> None:
        try:
            state = node["content"]["bit_generator"]["content"]["bit_generator"]["content"]
            bit_generator = json.loads(state)
        except (KeyError, TypeError, ValueError):
            bit_generator = None
        if name not in _TRUSTED:
            self.refused.add(name)
        self.used.update((name, f"numpy.random.{bit_generator}"))
        if not isinstance(bit_generator, str) or f"numpy.random.{bit_generator}" not in _TRUSTED:
            self.refused.add(f"numpy.random.{str(bit_generator)[:40]}")


def _printable(name: str) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name)
    return cleaned if len(cleaned) <= 100 else cleaned[:97] + "..."


def audit_schema(schema: dict[str, Any]) -> tuple[str, ...]:
    """Refuse a schema naming anything off our list; return the names skops must trust for it.

    Those are the allowlisted names the file uses, plus the ``CONDITIONAL_TYPES`` it uses in their
    sanctioned shape: a ``FunctionTransformer`` without a function (ColumnTransformer's
    ``remainder="passthrough"``) or with HistGradientBoosting's ``partial(check_array, ...)``.
    Handing skops only these (a subset of our list, each already checked) keeps its per-node trust
    checks cheap: it re-reads the whole trusted list at every node.
    """
    audit = _Audit()
    audit.run(schema)
    if audit.refused:
        shown = sorted(_printable(n) for n in audit.refused)
        listed = ", ".join(shown[:10]) + (f" and {len(shown) - 10} more" if len(shown) > 10 else "")
        raise _refuse(f"The file asks for types this server does not load: {listed}.")
    return tuple(sorted(audit.extra | audit.used))
