"""A tiny valid ONNX classifier, built with ``onnx.helper``: what the sandbox's warm-up loads, and the
base of the tests' hand-built models.

It takes ``x`` (float) and ``c`` (string) inputs, maps ``c`` to a number with a ``LabelEncoder``
(``a`` -> 0, ``b`` -> 1, anything else 0.5), concatenates, and scores with a ``LinearClassifier``
(classes ``no`` and ``yes``, softmax of ``-x - 2c`` and ``x + 2c``) whose probabilities go through a
``ZipMap``, as skl2onnx emits them (or come out as a plain tensor with ``zipmap=False``).
"""

from __future__ import annotations

import numpy as np
import onnx
import pandas as pd
from onnx import TensorProto, helper

CLASSES = ("no", "yes")
OPSETS = (("", 17), ("ai.onnx.ml", 3))


def sample_frame() -> pd.DataFrame:
    """A canonical frame the tiny classifier predicts on (with a missing category)."""
    return pd.DataFrame(
        {
            "x": np.array([-1.0, 0.5, 0.25, 2.0, -3.0]),
            "c": pd.Categorical(["a", "b", None, "a", "b"], categories=["a", "b"]),
        }
    )


def _nodes(zipmap: bool) -> list[onnx.NodeProto]:
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
        zipped = helper.make_node(
            "ZipMap", ["scores"], ["probabilities"], domain="ai.onnx.ml", classlabels_strings=list(CLASSES)
        )
        nodes.append(zipped)
    return nodes


def _probabilities(zipmap: bool) -> onnx.ValueInfoProto:
    if not zipmap:
        return helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, len(CLASSES)])
    value = helper.make_tensor_type_proto(TensorProto.FLOAT, [])
    kind = helper.make_sequence_type_proto(helper.make_map_type_proto(TensorProto.STRING, value))
    return helper.make_value_info("probabilities", kind)


def tiny_classifier(zipmap: bool = True) -> onnx.ModelProto:
    """The tiny classifier's model (see the module docstring)."""
    inputs = [
        helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1]),
        helper.make_tensor_value_info("c", TensorProto.STRING, [None, 1]),
    ]
    outputs = [helper.make_tensor_value_info("label", TensorProto.STRING, [None]), _probabilities(zipmap)]
    graph = helper.make_graph(_nodes(zipmap), "tiny", inputs, outputs)
    opsets = [helper.make_opsetid(domain, version) for domain, version in OPSETS]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)
