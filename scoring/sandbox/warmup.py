"""What the zygote imports and warms once, so that sandboxed children start in milliseconds.

A child's seccomp filter denies opening any file, so every module a model needs while loading or
predicting must already be imported: the modules of every type the safe loader trusts, the modules
scikit-learn imports lazily while predicting on a pandas frame (``LAZY_MODULES``, found by running the
whole model zoo under the filter) and a tiny fit-and-predict that walks the common input-validation
paths. CPU counts that scikit-learn caches are computed here too (they read /sys and run ``lscpu``).

Nothing here may start an OpenMP thread pool: a pool does not survive ``fork`` and would hang the
children. The exercise uses models without OpenMP code. The same holds for onnxruntime: its sessions
use one thread per pool (so no pool threads; ``onnx_format.runtime``) and its telemetry, which would
start a thread and open a database at import, is switched off with ``ORT_DISABLE_TELEMETRY`` before
onnxruntime is imported. The ONNX exercise loads a tiny ONNX upload (ZipMap, string and float inputs,
parity check) so the child never imports anything for ONNX either.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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
    "scoring.safe_load.onnx_format",  # imports onnxruntime with its telemetry off
    "onnx.checker",
    "onnx.helper",
    "scoring.frames",
    "scoring.sandbox.standby",
    "narwhals.stable.v2",
)
LAZY_MODULES = (
    "encodings.cp437",  # zipfile, reading skops archives
    "narwhals._duration",
    "narwhals._interchange.dataframe",
    "narwhals._namespace",
    "narwhals._pandas_like.dataframe",
    "narwhals._pandas_like.expr",
    "narwhals._pandas_like.group_by",
    "narwhals._pandas_like.namespace",
    "narwhals._pandas_like.selectors",
    "narwhals._pandas_like.series",
    "narwhals._pandas_like.series_cat",
    "narwhals._pandas_like.series_dt",
    "narwhals._pandas_like.series_list",
    "narwhals._pandas_like.series_map",
    "narwhals._pandas_like.series_str",
    "narwhals._pandas_like.series_struct",
    "narwhals._pandas_like.typing",
    "narwhals._pandas_like.utils",
    "narwhals.stable.v2._namespace",
)


def warm_up() -> None:
    """Import and warm everything a child needs (run once, in the zygote)."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    for name in PRELOAD + LAZY_MODULES:
        _try_import(name)
    _import_trusted_modules()
    _cache_cpu_counts()
    threads = _threads()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _exercise()
        _exercise_onnx()
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


def _import_trusted_modules() -> None:
    from scoring.safe_load.trusted import CONDITIONAL_TYPES, TRUSTED_TYPES

    for dotted in TRUSTED_TYPES + CONDITIONAL_TYPES:
        module = dotted.rpartition(".")[0]
        while module and not _try_import(module):
            module = module.rpartition(".")[0]


def _cache_cpu_counts() -> None:
    from joblib import cpu_count
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    for physical in (True, False):
        cpu_count(only_physical_cores=physical)
        _openmp_effective_n_threads(only_physical_cores=physical)


def _exercise() -> None:
    """Save, safely load and predict with a small pipeline and a small gradient-boosting model (native
    categorical support, OpenMP predict) on a frame with a categorical column."""
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
    global _rehearsal
    # Finding the thread pool libraries takes ~3 ms: once, here. OpenMP's only: limiting through a
    # controller of every library also sets OpenBLAS back on the way out, which starts its worker
    # threads in a fresh child, and each spins for ~0.1 s on the CPUs a job is about to use.
    threads = ThreadpoolController().select(user_api="openmp")
    with threads.limit(limits=1):  # a team of one: OpenMP starts no pool
        boosting = HistGradientBoostingClassifier(max_iter=2, min_samples_leaf=2).fit(frame, target)
    _rehearsal = _Rehearsal((skops.io.dumps(model), skops.io.dumps(boosting)), frame, threads)
    for _ in rehearsal():
        pass
    # The full label validation, which ``predict``'s fast path for text labels skips.
    validate_predictions(
        to_plain_array(model.predict(frame)),
        output="label",
        n_rows=len(frame),
        classes=_CLASSES,
        model_classes=None,
    )


_CLASSES = ("no", "yes")


@dataclass(frozen=True)
class _Rehearsal:
    files: tuple[bytes, ...]  # the exercise's model files
    frame: Any  # and the frame they predict on
    threads: Any  # a threadpoolctl.ThreadpoolController of the OpenMP libraries


_rehearsal: _Rehearsal | None = None


def rehearsal() -> Iterator[None]:
    """Load each of the exercise's model files and predict with it through the child's own code, in
    steps: each load or predict runs when the next item is asked for (nothing before the zygote's
    exercise has run).

    Run by each standby child before its job, so that the job does not pay for the first use of
    these paths in a fresh process (copy-on-write copies of the zygote's pages, lazily filled
    caches). The steps are short, so a standby can stop between two of them when its job arrives or
    the machine gets busy; the predicts run on one OpenMP thread, beside whatever else runs.
    """
    if _rehearsal is None:
        return
    import numpy as np

    from scoring.safe_load import check_capabilities, load_model
    from scoring.sandbox.predict import predict

    frame = _rehearsal.frame
    everyone = np.ones(len(frame), dtype=bool)
    for data in _rehearsal.files:
        yield
        model = load_model(data)
        check_capabilities(model, needs_proba=True)
        for output in ("label", "proba"):
            yield
            with _rehearsal.threads.limit(limits=1):
                predict(model, frame, everyone, output, _CLASSES)


def _exercise_onnx() -> None:
    """Load a tiny ONNX upload and run its parity check, labels and probabilities on a frame."""
    import numpy as np
    import pandas as pd

    from scoring.safe_load import check_capabilities, load_model
    from scoring.safe_load.onnx_format import write_container
    from scoring.sandbox.predict import check_parity, predict

    frame = pd.DataFrame(
        {
            "x": np.array([-1.0, 0.5, 0.0, 2.0]),
            "c": pd.Categorical(["a", "b", None, "a"], categories=["a", "b"]),
        }
    )
    classes = ("no", "yes")
    bare = load_model(_tiny_onnx_model())
    labels = np.asarray(bare.predict(frame), dtype=str)
    upload = write_container(_tiny_onnx_model(), {"label": labels, "proba": bare.predict_proba(frame)})
    model = load_model(upload)
    check_capabilities(model, needs_proba=True)
    everyone = np.ones(len(frame), dtype=bool)
    for output in ("label", "proba"):
        check_parity(model, frame, output, classes)
        predict(model, frame, everyone, output, classes)


def _tiny_onnx_model() -> bytes:
    """x (float) and c (string) -> LabelEncoder, Concat, LinearClassifier, ZipMap."""
    from onnx import TensorProto, helper

    nodes = [
        helper.make_node(
            "LabelEncoder",
            ["c"],
            ["c_num"],
            domain="ai.onnx.ml",
            keys_strings=["a", "b"],
            values_floats=[0.0, 1.0],
            default_float=0.5,
        ),
        helper.make_node("Concat", ["x", "c_num"], ["features"], axis=1),
        helper.make_node(
            "LinearClassifier",
            ["features"],
            ["label", "scores"],
            domain="ai.onnx.ml",
            coefficients=[-1.0, -1.0, 1.0, 1.0],
            intercepts=[0.0, 0.0],
            classlabels_strings=["no", "yes"],
            post_transform="SOFTMAX",
        ),
        helper.make_node(
            "ZipMap", ["scores"], ["probabilities"], domain="ai.onnx.ml", classlabels_strings=["no", "yes"]
        ),
    ]
    probabilities = helper.make_value_info(
        "probabilities",
        helper.make_sequence_type_proto(
            helper.make_map_type_proto(
                TensorProto.STRING, helper.make_tensor_type_proto(TensorProto.FLOAT, [])
            )
        ),
    )
    graph = helper.make_graph(
        nodes,
        "warm-up",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1]),
            helper.make_tensor_value_info("c", TensorProto.STRING, [None, 1]),
        ],
        [helper.make_tensor_value_info("label", TensorProto.STRING, [None]), probabilities],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8).SerializeToString()
