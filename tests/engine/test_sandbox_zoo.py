"""Every estimator the safe loader trusts predicts in the sandbox exactly as it does in-process.

The child's seccomp filter denies opening any file, so this is also the proof that nothing a model
needs at load or predict time is imported lazily (see ``scoring.sandbox.warmup``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skops.io

from scoring.frames import canonical_frame, write_frame
from scoring.safe_load import to_plain_array, validate_predictions
from scoring.sandbox import Output, run_model
from scoring.schema import Column, Kind, Schema, Task
from tests.engine.model_zoo import LABELS, MULTI_LABELS, REGIONS, fitted_zoo, make_frame, zoo_names

pytestmark = pytest.mark.engine
SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("income", Kind.NUMERIC),
        Column("member", Kind.BOOLEAN),
        Column("region", Kind.CATEGORICAL, tuple(REGIONS)),
    ),
    target="y",
    task=Task.BINARY,
    classes=LABELS,
)


@pytest.fixture(scope="module")
def frame_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("zoo_frame")
    write_frame(make_frame(seed=7), SCHEMA, directory)
    return directory


@pytest.mark.parametrize("name", zoo_names())
def test_zoo_model_predicts_in_the_sandbox_like_in_process(name: str, frame_dir: Path) -> None:
    entry = fitted_zoo()[name]
    classes = {"binary": LABELS, "multiclass": MULTI_LABELS}.get(entry.task, ())
    outputs: list[Output] = ["value"] if entry.task == "regression" else ["label"]
    if entry.task != "regression" and hasattr(entry.model, "predict_proba"):
        outputs.append("proba")
    frame = canonical_frame(make_frame(seed=7), SCHEMA)
    blob = skops.io.dumps(entry.model)
    for output in outputs:
        got = run_model(blob, frame_dir, output, classes)
        raw = entry.model.predict_proba(frame) if output == "proba" else entry.model.predict(frame)
        known = to_plain_array(entry.model.classes_) if output == "proba" else None
        want = validate_predictions(
            to_plain_array(raw), output=output, n_rows=len(frame), classes=classes, model_classes=known
        )
        assert np.array_equal(got, want), (name, output)
