"""The registry: the model formats the platform takes, in the order the sniffer asks them."""

from __future__ import annotations

from typing import Any

from scoring.formats import onnx, skops
from scoring.formats.base import ModelFormat

REGISTRY: tuple[ModelFormat, ...] = (skops.FORMAT, onnx.FORMAT)


def names() -> tuple[str, ...]:
    """The registered formats' names, in registry order."""
    return tuple(f.name for f in REGISTRY)


def get(name: str) -> ModelFormat:
    """The format called ``name``; ``ValueError`` naming the registered ones otherwise."""
    for model_format in REGISTRY:
        if model_format.name == name:
            return model_format
    known = ", ".join(repr(n) for n in names())
    raise ValueError(f"unknown format {name!r}; use one of {known}")


def of_model(model: Any) -> ModelFormat | None:
    """The format whose loader wrapped the loaded object ``model``; None for a model its format
    hands back as itself (a skops file gives the scikit-learn estimator)."""
    return next((f for f in REGISTRY if f.wraps(model)), None)
