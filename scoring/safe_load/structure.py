"""Consistency checks on a loaded model before anything calls it.

skops only checks *types*. A few trusted scikit-learn types hold index arrays that compiled code
follows without bounds checks (decision trees, HistGradientBoosting predictors, libsvm models), so
a crafted file could make ``predict`` read or write outside its arrays. We check those indices here.
The sandbox child process remains the last line of defence; this is the line before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
from sklearn.ensemble._forest import BaseForest
from sklearn.ensemble._gb import BaseGradientBoosting
from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE
from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import (
    BaseHistGradientBoosting,
)
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder
from sklearn.svm._base import BaseLibSVM
from sklearn.tree import BaseDecisionTree
from sklearn.tree._tree import Tree
from sklearn.utils.validation import check_array

from scoring.errors import EngineError, Reason

MAX_OBJECTS = 1_000_000
_KERNELS = frozenset({"linear", "poly", "rbf", "sigmoid"})
_LIBSVM_IMPLS = ("c_svc", "nu_svc", "epsilon_svr", "nu_svr")


def _bad(what: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, f"The model file is inconsistent ({what}).", field="model")


def _n_features(est: Any) -> int:
    n = getattr(est, "n_features_in_", None)
    if not isinstance(n, int | np.integer) or n < 1:
        raise _bad(f"{type(est).__name__} has no valid n_features_in_")
    return int(n)


def _check_tree(tree: Tree, n_features: int) -> None:
    n = tree.node_count
    if not 1 <= n <= tree.capacity or tree.n_features != n_features:
        raise _bad("a decision tree has an invalid size")
    left, right, feature = tree.children_left, tree.children_right, tree.feature
    leaf = left == -1
    inner = np.flatnonzero(~leaf)
    if np.any(leaf != (right == -1)):
        raise _bad("a decision tree has half-leaf nodes")
    for child in (left[inner], right[inner]):
        if np.any(child <= inner) or np.any(child >= n):
            raise _bad("a decision tree links outside itself")
    if np.any(feature[inner] < 0) or np.any(feature[inner] >= n_features):
        raise _bad("a decision tree splits on a feature that does not exist")


def _check_decision_tree(est: BaseDecisionTree) -> None:
    tree = getattr(est, "tree_", None)
    if tree is not None:
        if not isinstance(tree, Tree):
            raise _bad("tree_ is not a Tree")
        _check_tree(tree, _n_features(est))


def _flat_estimators(est: Any) -> list[Any]:
    estimators = getattr(est, "estimators_", [])
    if isinstance(estimators, np.ndarray):
        return list(estimators.ravel())
    return list(estimators) if isinstance(estimators, list | tuple) else []


def _check_tree_ensemble(est: Any) -> None:
    """Forests and gradient boosting call their trees' compiled code on X validated only once."""
    if not hasattr(est, "estimators_"):
        return  # not fitted: predict raises NotFittedError before any compiled code runs
    n = _n_features(est)
    for sub in _flat_estimators(est):
        if not isinstance(sub, BaseDecisionTree) or _n_features(sub) != n:
            raise _bad(f"{type(est).__name__} holds a tree fitted on different data")
    if isinstance(est, BaseGradientBoosting):
        _check_gradient_boosting(est)


def _check_gradient_boosting(est: Any) -> None:
    stages = getattr(est, "estimators_", None)
    k = getattr(est, "n_trees_per_iteration_", None)
    if not isinstance(stages, np.ndarray) or stages.ndim != 2 or stages.shape[1] != k:
        raise _bad("gradient boosting stages have the wrong shape")
    classes = getattr(est, "classes_", None)
    if classes is not None:
        n_classes = len(classes)
        expected = 1 if n_classes == 2 else n_classes
        loss = getattr(est, "_loss", None)
        multiclass = bool(getattr(loss, "is_multiclass", False))
        if k != expected or est.n_classes_ != n_classes or multiclass != (n_classes > 2):
            raise _bad("gradient boosting classes do not match its stages")
        init = est.init_
        if not (isinstance(init, str) and init == "zero"):
            init_classes = getattr(init, "classes_", ())
            if len(init_classes) != n_classes or getattr(init, "n_classes_", n_classes) != n_classes:
                raise _bad("gradient boosting init estimator has the wrong classes")
    elif k != 1:
        raise _bad("gradient boosting regressor has several trees per stage")


def _check_predictor(pred: TreePredictor, is_categorical: np.ndarray, n_features: int) -> None:
    nodes, bitsets = pred.nodes, pred.raw_left_cat_bitsets
    if not isinstance(nodes, np.ndarray) or nodes.dtype != PREDICTOR_RECORD_DTYPE:
        raise _bad("a boosting tree has malformed nodes")
    if not isinstance(bitsets, np.ndarray) or bitsets.ndim != 2 or bitsets.shape[1] != 8:
        raise _bad("a boosting tree has malformed category bitsets")
    n = nodes.shape[0]
    inner = np.flatnonzero(nodes["is_leaf"] == 0)
    if nodes.ndim != 1 or n < 1:
        raise _bad("a boosting tree is empty")
    for child in (nodes["left"][inner], nodes["right"][inner]):
        if np.any(child <= inner) or np.any(child >= n):
            raise _bad("a boosting tree links outside itself")
    feature = nodes["feature_idx"][inner]
    if np.any(feature < 0) or np.any(feature >= n_features):
        raise _bad("a boosting tree splits on a feature that does not exist")
    cat = inner[nodes["is_categorical"][inner] != 0]
    if np.any(nodes["bitset_idx"][cat] >= bitsets.shape[0]):
        raise _bad("a boosting tree points outside its category bitsets")
    if not np.all(is_categorical[nodes["feature_idx"][cat]]):
        raise _bad("a boosting tree treats a numeric feature as categorical")


def _check_hgb_preprocessor(est: Any, n_features: int) -> None:
    """The encoder/check-array split HGB builds: every column goes to exactly one of the two."""
    pre = getattr(est, "_preprocessor", None)
    if pre is None:
        return
    steps = getattr(pre, "transformers_", None)
    if not isinstance(steps, list) or len(steps) not in (2, 3):
        raise _bad("the boosting model's column preprocessor is malformed")
    if len(steps) == 3 and not (isinstance(steps[2][1], str) and steps[2][1] == "drop"):
        raise _bad("the boosting model's column preprocessor is malformed")
    encoder, numeric = steps[0][1], steps[1][1]
    masks = [np.asarray(step[2]) for step in steps[:2]]
    shapes_ok = all(m.dtype == bool and m.shape == (n_features,) for m in masks)
    kinds_ok = isinstance(encoder, OrdinalEncoder) and isinstance(numeric, FunctionTransformer)
    if not (shapes_ok and kinds_ok and np.array_equal(masks[0], ~masks[1])):
        raise _bad("the boosting model's column preprocessor is malformed")


def _check_hist_gradient_boosting(est: Any) -> None:
    if not hasattr(est, "_predictors"):
        return  # not fitted
    n = _n_features(est)
    is_categorical = np.asarray(getattr(est._bin_mapper, "is_categorical_", None))
    if is_categorical.shape != (n,) or is_categorical.dtype.kind not in "bui":
        raise _bad("the boosting model's categorical flags are malformed")
    _check_hgb_preprocessor(est, n)
    predictors = est._predictors
    if not isinstance(predictors, list):
        raise _bad("the boosting model's trees are malformed")
    for stage in predictors:
        if not isinstance(stage, list) or len(stage) != est.n_trees_per_iteration_:
            raise _bad("the boosting model's trees are malformed")
        for pred in stage:
            if not isinstance(pred, TreePredictor):
                raise _bad("the boosting model's trees are malformed")
            _check_predictor(pred, is_categorical.astype(bool), n)


def _check_libsvm(est: Any) -> None:
    if not hasattr(est, "support_vectors_"):
        return  # not fitted
    if est.kernel not in _KERNELS or est._impl not in _LIBSVM_IMPLS:
        raise _bad("the SVM uses an unsupported kernel")
    sv, support, n_support = est.support_vectors_, est.support_, est._n_support
    coef, intercept = est._dual_coef_, est._intercept_
    n_sv, n_class = sv.shape[0], len(n_support)
    pairs = n_class * (n_class - 1) // 2
    shapes_ok = (
        n_class >= 2
        and support.shape == (n_sv,)
        and coef.shape == (n_class - 1, n_sv)
        and intercept.shape == (pairs,)
        and est._probA.shape in {(0,), (pairs,)}
        and est._probB.shape == est._probA.shape
        and sv.shape[1] == est.shape_fit_[1]
    )
    if est._impl in ("c_svc", "nu_svc"):
        shapes_ok = shapes_ok and np.all(n_support >= 0) and int(n_support.sum()) == n_sv
    if est._sparse:
        sv.check_format(full_check=True)
        shapes_ok = shapes_ok and coef.data.size == (n_class - 1) * n_sv
    if not shapes_ok:
        raise _bad("the SVM's support vectors and coefficients do not match")


def _check_function_transformer(est: FunctionTransformer) -> None:
    func = est.func
    check = type(func) is partial and func.func is check_array and not func.args
    if not (func is None or check) or est.inverse_func is not None:
        raise _bad("a FunctionTransformer carries a function this server does not run")


def _children(obj: Any) -> Iterator[Any]:
    if isinstance(obj, dict):
        yield from obj.values()
    elif isinstance(obj, list | tuple):
        yield from obj
    elif isinstance(obj, np.ndarray):
        if obj.dtype == object:
            yield from obj.ravel()
    elif type(obj).__module__.startswith("sklearn.") and hasattr(obj, "__dict__"):
        yield from vars(obj).values()


def _check_object(obj: Any) -> None:
    if isinstance(obj, BaseDecisionTree):
        _check_decision_tree(obj)
    elif isinstance(obj, BaseForest | BaseGradientBoosting):
        _check_tree_ensemble(obj)
    elif isinstance(obj, BaseHistGradientBoosting):
        _check_hist_gradient_boosting(obj)
    elif isinstance(obj, BaseLibSVM):
        _check_libsvm(obj)
    elif isinstance(obj, FunctionTransformer):
        _check_function_transformer(obj)


def check_structure(model: Any) -> None:
    """Walk everything reachable from ``model`` and check the index-bearing parts."""
    seen: set[int] = set()
    stack = [model]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if len(seen) > MAX_OBJECTS:
            raise _bad("it holds too many objects")
        try:
            _check_object(obj)
        except EngineError:
            raise
        except Exception as exc:  # attribute missing or of the wrong type
            raise _bad(f"{type(obj).__name__}: {type(exc).__name__}") from exc
        stack.extend(_children(obj))
