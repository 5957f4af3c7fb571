"""What the zygote imports and exercises once, so that a sandboxed child never needs to open a file.

A child's seccomp filter denies opening any file, so every module a model needs while loading or
predicting must already be imported: the modules of every type the safe loader trusts, and whatever
scikit-learn, pandas and narwhals import lazily on the way, which a tiny fit, save, safe load and
predict through the child's own code (``_exercise``) walks (the model zoo test checks every trusted
type under the filter). CPU counts that scikit-learn caches are computed here too (they read /sys
and run ``lscpu``).

Nothing here may start a thread: a thread pool does not survive ``fork`` and would hang the children
(``warm_up`` refuses to finish if one started). The exercise's boosting model runs on one OpenMP
thread, so OpenMP starts no pool. The same holds for onnxruntime: its sessions
use one thread per pool (so no pool threads; ``scoring.formats.onnx.runtime``) and its telemetry, which
would start a thread and open a database at import, is switched off with ``ORT_DISABLE_TELEMETRY``
before onnxruntime is imported. Each registered model format's ``warm_up`` (``scoring.formats``) then
imports and exercises what a child needs to load and predict with its files: skops the modules of the
trusted types, ONNX onnxruntime and a tiny ONNX upload (ZipMap, string and float inputs, parity check).
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

from scoring import formats

PRELOAD = (
    "numpy",
    "pandas",
    "scipy.special",
    "scipy.sparse",
    "sklearn",
    "sklearn.base",
    "sklearn.utils.validation",
    "skops.io",
    "scoring.safe_load",
    "scoring.frames",
    "scoring.sandbox.standby",
    "narwhals.stable.v2",
    "encodings.cp437",  # zipfile, reading skops archives
)


def warm_up() -> None:
    """Import and warm everything a child needs (run once, in the zygote)."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    for name in PRELOAD:
        _try_import(name)
    _cache_cpu_counts()
    threads = _threads()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _exercise()
        for model_format in formats.REGISTRY:
            model_format.warm_up()
    if _threads() != threads:
        raise RuntimeError("the sandbox warm-up started a thread in the zygote; its children would hang")


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _try_import(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def _cache_cpu_counts() -> None:
    from joblib import cpu_count
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    for physical in (True, False):
        cpu_count(only_physical_cores=physical)
        _openmp_effective_n_threads(only_physical_cores=physical)


def _exercise() -> None:
    """Fit a small pipeline and a small gradient-boosting model (native categorical support, OpenMP
    predict) on a frame with a categorical column, then save, safely load and predict with each
    through the child's own code, so that what those paths import lazily is imported here."""
    import numpy as np
    import pandas as pd
    import skops.io
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    from threadpoolctl import ThreadpoolController

    from scoring.safe_load import to_plain_array, validate_predictions

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=40),
            "c": pd.Categorical(rng.choice(["a", "b"], size=40), categories=["a", "b"]),
        }
    )
    target = np.where(frame["x"] > 0, "yes", "no")
    encode = ColumnTransformer([("c", OneHotEncoder(), ["c"])], remainder="passthrough")
    model = Pipeline([("pre", encode), ("model", LogisticRegression())]).fit(frame, target)
    # Finding the thread pool libraries takes milliseconds: once, here. OpenMP's only: a controller
    # of every library also sets OpenBLAS back on the way out, which starts its worker threads.
    threads = ThreadpoolController().select(user_api="openmp")
    with threads.limit(limits=1):  # a team of one: OpenMP starts no pool
        boosting = HistGradientBoostingClassifier(max_iter=2, min_samples_leaf=2).fit(frame, target)
        files = [skops.io.dumps(fitted) for fitted in (model, boosting)]
    _REHEARSAL[:] = [frame, files, threads]  # kept for each standby's rehearsal
    for _ in rehearsal():  # the same load and predicts, here to import what they import lazily
        pass
    # The full label validation, which ``predict``'s fast path for text labels skips.
    validate_predictions(
        to_plain_array(model.predict(frame)),
        output="label",
        n_rows=len(frame),
        classes=_CLASSES,
        model_classes=None,
    )


def rehearsal() -> Iterator[None]:
    """Load each of the exercise's model files and predict with it through the child's own code, a
    step each time the next item is asked for (nothing before the zygote's exercise has run). Run by a
    standby ahead of its job (``headstart``), on one OpenMP thread."""
    if not _REHEARSAL:
        return
    import numpy as np

    from scoring.formats import load_model
    from scoring.safe_load.canonical import check_capabilities, predict

    frame, files, threads = _REHEARSAL
    everyone = np.ones(len(frame), dtype=bool)
    for data in files:
        yield
        model = load_model(data)
        check_capabilities(model, needs_proba=True)
        for output in ("label", "proba"):
            yield
            with threads.limit(limits=1):
                predict(model, frame, everyone, output, _CLASSES)


_CLASSES = ("no", "yes")
_REHEARSAL: list[Any] = []  # the exercise's frame, model files and OpenMP controller
