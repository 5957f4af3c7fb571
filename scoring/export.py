"""Exporting a fitted estimator as a file of any registered model format (``scoring.formats``).

``export_model`` asks the format's ``export``. ``export_skops`` and ``export_onnx`` are the two formats'
own exporters under their usual names; ``export_onnx`` takes the ONNX options (output kind, input
layout, group models, ``verify``) and is ``scoring.formats.onnx.export.export_onnx``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from scoring import formats
from scoring.formats.onnx.export import Layout, export_onnx, feature_matrix
from scoring.schema import Schema

__all__ = ["Layout", "export_model", "export_onnx", "export_skops", "feature_matrix"]


def export_model(
    estimator: Any, format: str = "skops", *, train: pd.DataFrame | None = None, schema: Schema | None = None
) -> bytes:
    """A file of the registered ``format`` for a fitted estimator (ONNX needs ``train``, the public
    train split, and ``schema``); ``ValueError`` for an unknown format."""
    return formats.get(format).export(estimator, train=train, schema=schema)


def export_skops(estimator: Any) -> bytes:
    """The skops serialization of a fitted estimator."""
    return export_model(estimator, "skops")
