"""What the zygote imports and warms once, so that sandboxed children start in milliseconds.

A child's seccomp filter denies opening any file, so every module a model needs while loading or
predicting must already be imported: the modules of every type the safe loader trusts, the modules
scikit-learn imports lazily while predicting on a pandas frame (``LAZY_MODULES``, found by running the
whole model zoo under the filter) and a tiny fit-and-predict that walks the common input-validation
paths. CPU counts that scikit-learn caches are computed here too (they read /sys and run ``lscpu``).

Nothing here may start an OpenMP thread pool: a pool does not survive ``fork`` and would hang the
children. The exercise uses models without OpenMP code.
"""

from __future__ import annotations

import importlib
import warnings

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
    "scoring.sandbox.child",
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
    for name in PRELOAD + LAZY_MODULES:
        _try_import(name)
    _import_trusted_modules()
    _cache_cpu_counts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _exercise()


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
    """Save, safely load and predict with a small pipeline on a frame with a categorical column."""
    import numpy as np
    import pandas as pd
    import skops.io
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    from scoring.safe_load import (
        check_capabilities,
        load_model,
        to_plain_array,
        validate_predictions,
    )

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
    loaded = load_model(skops.io.dumps(model))
    check_capabilities(loaded, needs_proba=True)
    classes = ("no", "yes")
    for output, raw in (("label", loaded.predict(frame)), ("proba", loaded.predict_proba(frame))):
        validate_predictions(
            to_plain_array(raw),
            output=output,  # type: ignore[arg-type]
            n_rows=len(frame),
            classes=classes,
            model_classes=to_plain_array(loaded.classes_),
        )
