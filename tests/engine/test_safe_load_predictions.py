"""Model capability checks and validation of raw predictions (labels, probabilities, values)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import skops.io
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoring.errors import EngineError, Reason
from scoring.formats import load_model
from scoring.safe_load import check_capabilities, to_plain_array, validate_predictions
from tests.engine import malicious
from tests.engine.model_zoo import fitted_zoo

pytestmark = pytest.mark.engine

CLASSES = ("high", "low", "mid")


def _prediction_error(raw: Any, **kwargs: Any) -> str:
    args: dict[str, Any] = {"n_rows": 3, "classes": CLASSES, "model_classes": None, **kwargs}
    with pytest.raises(EngineError) as info:
        validate_predictions(raw, **args)
    assert info.value.reason is Reason.PREDICTION_ERROR
    return info.value.message


# --- capabilities -----------------------------------------------------------------------------


def test_fitted_classifier_has_the_capabilities_it_needs() -> None:
    check_capabilities(fitted_zoo()["logistic"].model, needs_proba=True)


def test_loaded_plain_dict_is_refused_as_a_model() -> None:
    loaded = load_model(malicious.skops_plain_dict())
    assert isinstance(loaded, dict)
    with pytest.raises(EngineError, match="no predict method") as info:
        check_capabilities(loaded, needs_proba=False)
    assert info.value.reason is Reason.INVALID_MODEL


def test_loaded_transformer_is_refused_as_a_model() -> None:
    scaler = fitted_zoo()["logistic"].model.named_steps["pre"]
    loaded = load_model(skops.io.dumps(scaler))
    with pytest.raises(EngineError, match="ColumnTransformer"):
        check_capabilities(loaded, needs_proba=False)


def test_model_without_predict_proba_is_refused_only_when_probabilities_are_needed() -> None:
    model = load_model(skops.io.dumps(fitted_zoo()["linear_svc"].model))
    check_capabilities(model, needs_proba=False)
    with pytest.raises(EngineError, match="predict_proba"):
        check_capabilities(model, needs_proba=True)


# --- labels -----------------------------------------------------------------------------------


def test_labels_become_schema_class_codes() -> None:
    raw = np.array(["mid", "high", "low"])
    codes = validate_predictions(raw, output="label", n_rows=3, classes=CLASSES, model_classes=None)
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes, [2, 0, 1])


@pytest.mark.parametrize(
    ("raw", "classes", "expected"),
    [
        (np.array([1, 0, 1]), ("0", "1"), [1, 0, 1]),
        (np.array([1.0, 0.0, 1.0]), ("0", "1"), [1, 0, 1]),
        (np.array([True, False, True]), ("False", "True"), [1, 0, 1]),
        (np.array([[2], [0], [1]], dtype=np.uint8), ("0", "1", "2"), [2, 0, 1]),
        (np.array([0.5, 1.5, 0.5]), ("0.5", "1.5"), [0, 1, 0]),
    ],
)
def test_labels_are_compared_as_text(raw: np.ndarray, classes: tuple[str, ...], expected: list[int]) -> None:
    codes = validate_predictions(raw, output="label", n_rows=3, classes=classes, model_classes=None)
    np.testing.assert_array_equal(codes, expected)


def test_unknown_label_is_a_prediction_error() -> None:
    message = _prediction_error(np.array(["high", "medium", "low"]), output="label")
    assert "'medium'" in message and "not one of the classes" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (np.array(["a", "b", "c"], dtype=object), "not allowed"),
        (np.zeros(3, dtype=[("a", "i4")]), "not allowed"),
        (np.zeros(3, dtype="V8"), "not allowed"),
        (np.array([b"a", b"b", b"c"]), "not allowed"),
        (np.array([1 + 0j, 0j, 0j]), "not allowed"),
        (np.array(["high", "low"]), "shape (2,)"),
        (np.array([["high", "low"]] * 3), "shape (3, 2)"),
        (np.array([1.0, np.nan, 0.0]), "NaN"),
        (["high", "low", "mid"], "list, not a numpy array"),
        (np.ma.masked_array(np.array(["high", "low", "mid"])), "MaskedArray"),
    ],
)
def test_malformed_labels_are_prediction_errors(raw: Any, expected: str) -> None:
    assert expected in _prediction_error(raw, output="label")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=50))
def test_integer_labels_map_to_their_class_codes(labels: list[int]) -> None:
    classes = ("0", "1", "2", "3", "4")
    raw = np.asarray(labels, dtype=np.int64)
    codes = validate_predictions(raw, output="label", n_rows=len(labels), classes=classes, model_classes=None)
    np.testing.assert_array_equal(codes, raw)


# --- probabilities ----------------------------------------------------------------------------


def test_probability_columns_are_moved_to_schema_order() -> None:
    raw = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])
    out = validate_predictions(
        raw, output="proba", n_rows=3, classes=CLASSES, model_classes=np.array(["mid", "high", "low"])
    )
    np.testing.assert_allclose(out, raw[:, [1, 2, 0]])
    assert out.dtype == np.float64


def test_classes_the_model_never_saw_get_zero_probability() -> None:
    raw = np.array([[0.25, 0.75], [1.0, 0.0], [0.5, 0.5]])
    out = validate_predictions(
        raw, output="proba", n_rows=3, classes=CLASSES, model_classes=np.array(["low", "high"])
    )
    np.testing.assert_allclose(out, [[0.75, 0.25, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])


def test_integer_model_classes_match_text_schema_classes() -> None:
    raw = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    out = validate_predictions(
        raw, output="proba", n_rows=3, classes=("0", "1"), model_classes=np.array([0, 1])
    )
    np.testing.assert_allclose(out, raw)


def test_small_numeric_slack_is_clipped_and_renormalised() -> None:
    raw = np.array([[1.0 + 5e-7, -5e-7, 0.0], [0.3, 0.3, 0.4004], [0.2, 0.2, 0.6]])
    out = validate_predictions(raw, output="proba", n_rows=3, classes=CLASSES, model_classes=None)
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize(
    ("raw", "model_classes", "expected"),
    [
        (np.full((3, 3), 1 / 3), np.array(["high", "low", "extreme"]), "'extreme'"),
        (np.full((3, 3), 1 / 3), np.array(["high", "high", "low"]), "same class twice"),
        (np.full((3, 3), 1 / 3), np.array(["high", "low"]), "lists 2 classes"),
        (np.full((3, 3), 1 / 3), np.array(["a", "b", "c"], dtype=object), "not allowed"),
        (np.full((3, 2), 0.5), None, "2 probability columns for 3 classes"),
        (np.full((2, 3), 1 / 3), None, "shape (2, 3)"),
        (np.full(3, 1 / 3), None, "shape (3,)"),
        (np.array([[1.0, 0, 0], [np.nan, 0, 1], [0, 0, 1]]), None, "NaN"),
        (np.array([[1.5, -0.5, 0], [0, 0, 1], [0, 0, 1]]), None, "outside [0, 1]"),
        (np.array([[0.5, 0.2, 0], [0, 0, 1], [0, 0, 1]]), None, "row 0 sum to 0.7"),
        (np.array([["1", "0", "0"]] * 3), None, "expected numbers"),
    ],
)
def test_malformed_probabilities_are_prediction_errors(
    raw: np.ndarray, model_classes: np.ndarray | None, expected: str
) -> None:
    assert expected in _prediction_error(raw, output="proba", model_classes=model_classes)


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, (5, 3), elements=st.floats(0.01, 1.0)),
    st.permutations(list(range(3))),
)
def test_probability_reordering_undoes_any_column_permutation(
    weights: np.ndarray, permutation: list[int]
) -> None:
    proba = weights / weights.sum(axis=1, keepdims=True)
    model_classes = np.array([CLASSES[i] for i in permutation])
    out = validate_predictions(
        proba[:, permutation], output="proba", n_rows=5, classes=CLASSES, model_classes=model_classes
    )
    np.testing.assert_allclose(out, proba, atol=1e-12)


def test_real_model_probabilities_validate_in_schema_order() -> None:
    entry = fitted_zoo()["multi_logistic"]
    raw = entry.model.predict_proba(entry.X)
    model_classes = to_plain_array(entry.model.classes_)
    out = validate_predictions(
        raw, output="proba", n_rows=len(entry.X), classes=CLASSES, model_classes=model_classes
    )
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


# --- regression values ------------------------------------------------------------------------


def test_regression_values_become_float64() -> None:
    out = validate_predictions(
        np.array([[1], [2], [3]], dtype=np.int32),
        output="value",
        n_rows=3,
        classes=(),
        model_classes=None,
    )
    assert out.dtype == np.float64 and out.shape == (3,)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (np.array(["1.0", "2.0", "3.0"]), "expected numbers"),
        (np.array([1.0, np.inf, 2.0]), "NaN or infinite"),
        (np.array([1.0, 2.0]), "shape (2,)"),
        (np.array([1.0, 2.0, 3.0], dtype=object), "not allowed"),
        (np.ones((3, 2)), "shape (3, 2)"),
    ],
)
def test_malformed_regression_values_are_prediction_errors(raw: np.ndarray, expected: str) -> None:
    assert expected in _prediction_error(raw, output="value", classes=())


# --- child-side conversion --------------------------------------------------------------------


def test_object_string_labels_become_a_plain_string_array() -> None:
    entry = fitted_zoo()["logistic"]
    raw = entry.model.predict(entry.X)
    assert raw.dtype == object
    plain = to_plain_array(raw)
    assert plain.dtype.kind == "U"
    codes = validate_predictions(
        plain, output="label", n_rows=len(raw), classes=("no", "yes"), model_classes=None
    )
    np.testing.assert_array_equal(codes, (raw == "yes").astype(np.int64))


@pytest.mark.parametrize(
    ("items", "kind"),
    [(["a", np.str_("b")], "U"), ([True, np.bool_(False)], "b"), ([1, np.int64(2)], "i"), ([1, 2.5], "f")],
)
def test_object_arrays_of_plain_values_get_a_plain_dtype(items: list[Any], kind: str) -> None:
    assert to_plain_array(np.array(items, dtype=object)).dtype.kind == kind


def test_object_arrays_of_other_values_are_refused() -> None:
    with pytest.raises(EngineError, match="expected plain labels") as info:
        to_plain_array(np.array([{"a": 1}, "b"], dtype=object))
    assert info.value.reason is Reason.PREDICTION_ERROR
