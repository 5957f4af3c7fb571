"""The ``OnnxModel`` wrapper in-process: input conventions, outputs, classes and the parity check."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from onnx import TensorProto, helper

from scoring.errors import EngineError, Reason
from scoring.formats import load_model
from scoring.formats.onnx.container import write_container
from scoring.formats.onnx.feeds import build_feeds
from scoring.formats.onnx.parity import disagreements, expected_predictions
from scoring.formats.onnx.signature import InputSpec
from scoring.safe_load import check_capabilities
from scoring.sandbox.predict import check_parity, predict
from tests.engine import onnx_builders

pytestmark = pytest.mark.engine
CLASSES = onnx_builders.CLASSES


def test_string_inputs_get_category_text_and_missing_as_empty() -> None:
    frame = onnx_builders.frame()
    feeds = build_feeds([InputSpec("c", TensorProto.STRING, 2, 1)], frame)
    assert feeds["c"].shape == (5, 1)
    assert feeds["c"][:, 0].tolist() == ["a", "b", "", "a", "b"]


@pytest.mark.parametrize(
    ("elem_type", "dtype"), [(TensorProto.INT64, np.int64), (TensorProto.INT32, np.int32)]
)
def test_integer_inputs_get_category_codes_and_missing_as_minus_one(elem_type: int, dtype: type) -> None:
    feeds = build_feeds([InputSpec("c", elem_type, 1, None)], onnx_builders.frame())
    assert feeds["c"].dtype == dtype and feeds["c"].tolist() == [0, 1, -1, 0, 1]


def test_float_inputs_get_codes_with_nan_for_missing_and_numbers_as_they_are() -> None:
    frame = onnx_builders.frame()
    feeds = build_feeds(
        [InputSpec("c", TensorProto.DOUBLE, 2, 1), InputSpec("x", TensorProto.FLOAT, 2, 1)], frame
    )
    assert np.array_equal(feeds["c"][:, 0], [0.0, 1.0, np.nan, 0.0, 1.0], equal_nan=True)
    assert feeds["x"].dtype == np.float32 and feeds["x"][:, 0].tolist() == [-1.0, 0.5, 0.25, 2.0, -3.0]


def test_a_single_matrix_input_gets_every_feature_in_schema_order() -> None:
    feeds = build_feeds([InputSpec("X", TensorProto.FLOAT, 2, 2)], onnx_builders.frame())
    matrix = feeds["X"]
    assert matrix.shape == (5, 2)
    assert np.array_equal(matrix[:, 1], [0.0, 1.0, np.nan, 0.0, 1.0], equal_nan=True)


def test_inputs_that_are_not_columns_are_refused_with_their_names() -> None:
    specs = [InputSpec("age", TensorProto.FLOAT, 2, 1), InputSpec("salary", TensorProto.FLOAT, 2, 1)]
    with pytest.raises(EngineError, match="'age', 'salary'") as info:
        build_feeds(specs, onnx_builders.frame())
    assert info.value.reason is Reason.INVALID_MODEL


def test_a_matrix_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(EngineError, match="takes 3 features; this competition has 2"):
        build_feeds([InputSpec("X", TensorProto.FLOAT, 2, 3)], onnx_builders.frame())


def test_a_numeric_column_fed_to_a_string_input_is_refused() -> None:
    with pytest.raises(EngineError, match="declared string"):
        build_feeds([InputSpec("x", TensorProto.STRING, 2, 1)], onnx_builders.frame())


@pytest.mark.parametrize("zipmap", [True, False])
def test_predictions_match_the_arithmetic_with_or_without_zipmap(zipmap: bool) -> None:
    model = load_model(onnx_builders.classifier(zipmap=zipmap))
    frame = onnx_builders.frame()
    want = onnx_builders.expected_proba(frame)
    assert np.abs(model.predict_proba(frame) - want).max() < 1e-6
    assert model.predict(frame).tolist() == [CLASSES[i] for i in want.argmax(axis=1)]
    assert list(model.classes_) == list(CLASSES)


def test_a_regressor_has_values_but_no_probabilities_or_classes() -> None:
    model = load_model(onnx_builders.regressor_matrix())
    frame = onnx_builders.frame()
    assert model.predict(frame).tolist() == [1.0, 1.0, 1.0, 5.0, 1.0]  # x <= 0.5 gives 1
    assert model.predict(frame).dtype == np.float64
    with pytest.raises(EngineError, match="no predict_proba"):
        check_capabilities(model, needs_proba=True)
    assert not hasattr(model, "classes_")


def test_integer_classes_come_from_the_classifier_operator() -> None:
    proto = onnx_builders.classifier_proto(zipmap=False)
    classifier = next(node for node in proto.graph.node if node.op_type == "LinearClassifier")
    classifier.attribute.remove(next(a for a in classifier.attribute if a.name == "classlabels_strings"))
    classifier.attribute.append(helper.make_attribute("classlabels_ints", [0, 1]))
    proto.graph.output[0].type.tensor_type.elem_type = TensorProto.INT64
    model = load_model(proto.SerializeToString())
    assert model.classes_.tolist() == [0, 1]
    assert set(model.predict(onnx_builders.frame()).tolist()) <= {0, 1}


def test_classes_come_from_metadata_when_the_operators_disagree() -> None:
    proto = onnx_builders.classifier_proto(zipmap=False)
    other = helper.make_node(
        "LinearClassifier",
        ["features"],
        ["other_label", "other_scores"],
        domain="ai.onnx.ml",
        coefficients=[1.0, 1.0, 1.0, 1.0],
        intercepts=[0.0, 0.0],
        classlabels_strings=["yes", "no"],
    )
    proto.graph.node.append(other)
    model = load_model(proto.SerializeToString())
    with pytest.raises(EngineError, match="which class each probability column is for"):
        model.predict_proba(onnx_builders.frame())
    entry = proto.metadata_props.add()
    entry.key, entry.value = "classes", json.dumps(["no", "yes"])
    assert load_model(proto.SerializeToString()).classes_.tolist() == ["no", "yes"]


def test_the_parity_check_passes_on_the_models_own_predictions() -> None:
    frame = onnx_builders.frame()
    bare = load_model(onnx_builders.classifier())
    parity = {"label": np.asarray(bare.predict(frame), dtype=str), "proba": bare.predict_proba(frame)}
    model = load_model(write_container(onnx_builders.classifier(), parity))
    for output in ("label", "proba"):
        check_parity(model, frame, output, CLASSES)


def test_the_parity_check_counts_the_rows_that_disagree() -> None:
    frame = onnx_builders.frame()
    bare = load_model(onnx_builders.classifier())
    labels = np.asarray(bare.predict(frame), dtype=str)
    flipped = np.where(np.arange(5) < 2, np.where(labels == "no", "yes", "no"), labels)
    model = load_model(write_container(onnx_builders.classifier(), {"label": flipped}))
    with pytest.raises(EngineError) as info:
        check_parity(model, frame, "label", CLASSES)
    assert info.value.reason is Reason.INVALID_MODEL
    assert info.value.message == (
        "the ONNX model disagrees with its own predictions on the public train split (2 of 5 rows)"
    )


def test_probabilities_agree_within_the_tolerance_only() -> None:
    frame = onnx_builders.frame()
    got = predict(load_model(onnx_builders.classifier()), frame, np.ones(5, dtype=bool), "proba", CLASSES)
    near = got + np.array([5e-5, -5e-5])
    far = got + np.array([[2e-4, -2e-4]] + [[0.0, 0.0]] * 4)
    assert disagreements(got, near, "proba") == 0
    assert disagreements(got, far, "proba") == 1


def test_a_missing_or_malformed_parity_file_is_refused() -> None:
    model = load_model(write_container(onnx_builders.classifier(), {}))
    with pytest.raises(EngineError, match=r"has no parity_proba\.npy"):
        check_parity(model, onnx_builders.frame(), "proba", CLASSES)
    with pytest.raises(EngineError, match=r"parity_label\.npy does not hold valid predictions") as info:
        expected_predictions(
            {"label": np.array(["maybe"])}, output="label", classes=CLASSES, model_classes=None
        )
    assert info.value.reason is Reason.INVALID_MODEL


def test_a_parity_file_for_other_rows_is_refused() -> None:
    model = load_model(write_container(onnx_builders.classifier(), {"label": np.array(["no", "yes"])}))
    with pytest.raises(EngineError, match="holds 2 rows; the public train split has 5"):
        check_parity(model, onnx_builders.frame(), "label", CLASSES)


def test_skops_models_are_not_parity_checked() -> None:
    import skops.io
    from sklearn.dummy import DummyClassifier

    frame = pd.DataFrame({"x": [0.0, 1.0]})
    model = load_model(skops.io.dumps(DummyClassifier().fit(frame, ["no", "yes"])))
    check_parity(model, frame, "label", CLASSES)  # nothing to compare against, nothing raised
