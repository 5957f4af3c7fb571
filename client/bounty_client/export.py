"""Saving a fitted model in a form the platform takes, checked with the server's own loader first."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bounty_client.local import MAX_MODEL_BYTES, as_schema
from scoring import formats
from scoring.formats import load_model
from scoring.frames import canonical_frame
from scoring.safe_load import check_capabilities
from scoring.sandbox.limits import Output
from scoring.sandbox.predict import PairInput, SplitInput, run
from scoring.schema import Schema

SAMPLE_ROWS = 200


def model_bytes(estimator: Any) -> bytes:
    """The skops serialization of a fitted estimator."""
    return formats.get("skops").export(estimator, train=None, schema=None)


def check_model_file(
    data: bytes,
    *,
    schema: Schema | Mapping[str, Any] | None = None,
    train: pd.DataFrame | None = None,
    needs_proba: bool = False,
) -> None:
    """Raise ``scoring.errors.EngineError`` if the server would refuse ``data``: it must load with the
    server's loader (for skops, the allowlist) and, given the schema and some train rows, predict
    valid labels, probabilities or values on them."""
    model = load_model(data, max_bytes=MAX_MODEL_BYTES)
    check_capabilities(model, needs_proba=needs_proba)
    if schema is None or train is None:
        return
    bound = as_schema(schema)
    frame = canonical_frame(train.head(SAMPLE_ROWS).reset_index(drop=True), bound)
    output: Output = "proba" if needs_proba else ("label" if bound.task.is_classification else "value")
    pair = PairInput(
        model=data,
        group_model=None,
        output=output,
        classes=bound.classes,
        max_model_bytes=MAX_MODEL_BYTES,
        splits=[SplitInput(name="sample", frame=frame, mask=np.ones(len(frame), dtype=bool))],
        public=True,
    )
    run(pair)


def export_model(
    estimator: Any,
    path: str | os.PathLike[str],
    *,
    format: str = "skops",
    train: pd.DataFrame | None = None,
    schema: Schema | Mapping[str, Any] | None = None,
    needs_proba: bool = False,
    check: bool = True,
) -> Path:
    """Write a fitted estimator to ``path`` for upload and return the path.

    ``format`` is a registered model format (``scoring.formats``): ``skops`` (the default) or ``onnx``
    (which needs ``train``, the public train split, and ``schema``, and the ``onnx`` extra). The
    format's own exporter writes the bytes; then, unless ``check=False``, the file is loaded back
    with the server's safe loader (so a type outside the platform's allowlist fails here, not after
    upload) and, given ``train`` and ``schema``, predicts on a few train rows the way the server
    does. Use ``needs_proba=True`` for competitions whose loss reads probabilities (Brier, log loss).
    """
    model_format = formats.get(format)
    bound = as_schema(schema) if schema is not None else None
    data = model_format.export(estimator, train=train, schema=bound)
    if check:
        check_model_file(data, schema=bound, train=train, needs_proba=needs_proba)
    target = Path(path)
    target.write_bytes(data)
    return target
