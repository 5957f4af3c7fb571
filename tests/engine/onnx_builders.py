"""Small hand-built ONNX models for the ONNX tests: one valid classifier and its malicious variants.

The valid model takes ``x`` (float) and ``c`` (string), maps ``c`` to a number, concatenates, and
scores with a ``LinearClassifier`` whose probabilities go through a ``ZipMap`` (as skl2onnx emits).
Each ``with_*`` function returns bytes of a model that breaks one rule of the static checks.
"""

from __future__ import annotations

import itertools

import numpy as np
import onnx
import pandas as pd
from onnx import TensorProto, helper, numpy_helper

OPSETS = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]
CLASSES = ("no", "yes")


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": np.array([-1.0, 0.5, 0.25, 2.0, -3.0]),
            "c": pd.Categorical(["a", "b", None, "a", "b"], categories=["a", "b"]),
        }
    )


def _inputs() -> list[onnx.ValueInfoProto]:
    return [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1]),
        helper.make_tensor_value_info("c", TensorProto.STRING, [None, 1]),
    ]


def _zipmap_output() -> onnx.ValueInfoProto:
    value = helper.make_tensor_type_proto(TensorProto.FLOAT, [])
    kind = helper.make_sequence_type_proto(helper.make_map_type_proto(TensorProto.STRING, value))
    return helper.make_value_info("probabilities", kind)


def _nodes(zipmap: bool = True) -> list[onnx.NodeProto]:
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
            ["label", "scores" if zipmap else "probabilities"],
            domain="ai.onnx.ml",
            coefficients=[-1.0, -2.0, 1.0, 2.0],
            intercepts=[0.0, 0.0],
            classlabels_strings=list(CLASSES),
            post_transform="SOFTMAX",
        ),
    ]
    if zipmap:
        nodes.append(
            helper.make_node(
                "ZipMap",
                ["scores"],
                ["probabilities"],
                domain="ai.onnx.ml",
                classlabels_strings=list(CLASSES),
            )
        )
    return nodes


def classifier_proto(zipmap: bool = True) -> onnx.ModelProto:
    outputs = [helper.make_tensor_value_info("label", TensorProto.STRING, [None])]
    if zipmap:
        outputs.append(_zipmap_output())
    else:
        outputs.append(helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2]))
    graph = helper.make_graph(_nodes(zipmap), "tiny", _inputs(), outputs)
    return helper.make_model(graph, opset_imports=OPSETS, ir_version=8)


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
