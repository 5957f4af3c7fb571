"""The plain data a sandbox run is described by: limits, jobs and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

Output = Literal["label", "proba", "value"]
OUTPUTS: tuple[Output, ...] = ("label", "proba", "value")
# Where a refusal on the hidden rows sends the participant for its details (they cannot be shown).
HIDDEN_CHECK = "Run the same check on the training data (bounty check) to see the details."


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed child process."""

    wall_seconds: float = 300.0
    cpu_seconds: int = 300
    memory_bytes: int = 6 * 2**30  # RLIMIT_AS
    max_model_bytes: int = 100 * 2**20
    max_output_bytes: int = 2 * 2**30


@dataclass(frozen=True)
class SplitJob:
    """One split to predict on: its frame directory (``scoring.frames``) and, for a tree group, the
    group's rows (computed by the trusted parent); ``mask`` is None when the group is a model."""

    frame_dir: Path
    mask: np.ndarray | None = None


@dataclass(frozen=True)
class PairJob:
    """A participant's (group, model) pair to run on one or more splits.

    ``group_model`` is g as a classifier: its positive class (True / 1 / the last of ``classes_``)
    means member. Without it every split needs a mask.

    ``parity_frame`` is the frame directory of the public train split: when given, an ONNX ``model``
    must carry its own predictions on those rows and match them (the parity check, run in the
    child before any split); skops models ignore it.
    """

    model: bytes
    output: Output
    classes: tuple[str, ...]
    splits: dict[str, SplitJob] = field(default_factory=dict)
    group_model: bytes | None = None
    parity_frame: Path | None = None
    public: bool = False


@dataclass(frozen=True)
class SplitResult:
    """The group's rows of one split and h's canonical predictions on those rows, in row order."""

    mask: np.ndarray
    predictions: np.ndarray
