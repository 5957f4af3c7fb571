"""Small hand-built ONNX models for the ONNX tests: the format's sample classifier
(``scoring.formats.onnx.sample``), a matrix-input regressor, and malicious variants of the classifier.

Each ``with_*`` function returns bytes of a model that breaks one rule of the static checks.
"""

from __future__ import annotations

import itertools

import numpy as np
import onnx
import pandas as pd
from onnx import TensorProto, helper, numpy_helper

from scoring.formats.onnx import sample

OPSETS = [helper.make_opsetid(domain, version) for domain, version in sample.OPSETS]
CLASSES = sample.CLASSES
frame = sample.sample_frame


def classifier_proto(zipmap: bool = True) -> onnx.ModelProto:
    return sample.tiny_classifier(zipmap)


def classifier(zipmap: bool = True) -> bytes:
    return classifier_proto(zipmap).SerializeToString()


def expected_proba(data: pd.DataFrame) -> np.ndarray:
    """What the tiny classifier computes, in numpy (softmax of the two linear scores)."""
    c = np.where(data["c"].isna(), 0.5, (data["c"] == "b").astype(float))
    x = data["x"].to_numpy()
    scores = np.column_stack([-x - 2 * c, x + 2 * c])
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def regressor_matrix(n_features: int = 2) -> bytes:
    """One matrix input ``X`` [N, n_features] and a one-split tree on feature 0 (value 1 or 5)."""
    node = helper.make_node(
        "TreeEnsembleRegressor",
        ["X"],
        ["variable"],
        domain="ai.onnx.ml",
        n_targets=1,
        nodes_treeids=[0, 0, 0],
        nodes_nodeids=[0, 1, 2],
        nodes_featureids=[0, 0, 0],
        nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"],
        nodes_values=[0.5, 0.0, 0.0],
        nodes_truenodeids=[1, 0, 0],
        nodes_falsenodeids=[2, 0, 0],
        target_treeids=[0, 0],
        target_nodeids=[1, 2],
        target_ids=[0, 0],
        target_weights=[1.0, 5.0],
    )
    graph = helper.make_graph(
        [node],
        "regressor",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])],
    )
    return helper.make_model(graph, opset_imports=OPSETS, ir_version=8).SerializeToString()


# -- malicious variants ---------------------------------------------------------------------------
def _with(nodes: list[onnx.NodeProto], initializers: list[onnx.TensorProto] | None = None) -> onnx.ModelProto:
    model = classifier_proto()
    model.graph.node.extend(nodes)
    model.graph.initializer.extend(initializers or [])
    return model


def _external(name: str) -> onnx.TensorProto:
    tensor = numpy_helper.from_array(np.zeros(4, dtype=np.float32), name)
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "../../../../etc/passwd"
    return tensor


def with_external_initializer() -> bytes:
    model = _with([helper.make_node("Identity", ["weights"], ["unused"])], [_external("weights")])
    return model.SerializeToString()


def with_external_attribute() -> bytes:
    node = helper.make_node("Constant", [], ["leak"], value=_external("leak_value"))
    return _with([node]).SerializeToString()


def with_if() -> bytes:
    branch = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "branch",
        [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])],
    )
    condition = numpy_helper.from_array(np.array(True), "condition")
    node = helper.make_node("If", ["condition"], ["chosen"], then_branch=branch, else_branch=branch)
    return _with([node], [condition]).SerializeToString()


def with_loop() -> bytes:
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
        ],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, [])],
    )
    trips = numpy_helper.from_array(np.array(10**12, dtype=np.int64), "trips")
    go = numpy_helper.from_array(np.array(True), "go")
    node = helper.make_node("Loop", ["trips", "go"], [], body=body)
    return _with([node], [trips, go]).SerializeToString()


def with_function() -> bytes:
    function = helper.make_function(
        "local.evil",
        "Twice",
        ["a"],
        ["b"],
        [helper.make_node("Add", ["a", "a"], ["b"])],
        [helper.make_opsetid("", 17)],
    )
    model = _with([helper.make_node("Twice", ["x"], ["twice"], domain="local.evil")])
    model.opset_import.append(helper.make_opsetid("local.evil", 1))
    model.functions.append(function)
    return model.SerializeToString()


def with_custom_domain() -> bytes:
    model = _with([helper.make_node("ReadFile", ["c"], ["secret"], domain="com.evil")])
    model.opset_import.append(helper.make_opsetid("com.evil", 1))
    return model.SerializeToString()


def with_unlisted_operator() -> bytes:
    node = helper.make_node("RandomUniformLike", ["x"], ["noise"])
    return _with([node]).SerializeToString()


def with_identity_chain(length: int) -> bytes:
    names = ["x"] + [f"x{i}" for i in range(length)]
    nodes = [helper.make_node("Identity", [a], [b]) for a, b in itertools.pairwise(names)]
    return _with(nodes).SerializeToString()


def with_dangling_input() -> bytes:
    """A node reading a tensor nothing defines: the ONNX checker refuses it."""
    return _with([helper.make_node("Identity", ["nowhere"], ["dangling"])]).SerializeToString()


def with_big_initializer(n_bytes: int) -> bytes:
    weights = numpy_helper.from_array(np.zeros(n_bytes // 4, dtype=np.float32), "big")
    return _with([helper.make_node("Identity", ["big"], ["big_out"])], [weights]).SerializeToString()
