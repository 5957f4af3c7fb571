"""Hostile ONNX files (built with ``onnx.helper``, never run): external data that points at a file,
custom operator domains, subgraphs, model-local functions, and a zip bomb in an ONNX upload."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper

from tests.engine.malicious import _write_zeros

OPSET = [helper.make_opsetid("", 17)]


def _io() -> tuple[onnx.ValueInfoProto, onnx.ValueInfoProto]:
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 2])
    return x, y


def _model(nodes: list[onnx.NodeProto], **graph: object) -> onnx.ModelProto:
    x, y = _io()
    built = helper.make_graph(nodes, "g", [x], [y], **graph)  # type: ignore[arg-type]
    return helper.make_model(built, opset_imports=OPSET)


def external_data(target: str = "../../../../../etc/passwd") -> bytes:
    """An initializer whose data "lives" in ``target``: onnxruntime would open that path."""
    weight = helper.make_tensor("W", TensorProto.FLOAT, [2, 2], vals=np.zeros(4, dtype=np.float32))
    weight.ClearField("float_data")
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", target), ("offset", "0"), ("length", "16")):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    node = helper.make_node("Add", ["X", "W"], ["Y"])
    return _model([node], initializer=[weight]).SerializeToString()


def custom_domain() -> bytes:
    """An operator from a custom domain (a native library onnxruntime would have to load)."""
    node = helper.make_node("Exec", ["X"], ["Y"], domain="evil.ops", command="touch /tmp/owned")
    model = _model([node])
    model.opset_import.append(helper.make_opsetid("evil.ops", 1))
    return model.SerializeToString()


def subgraph() -> bytes:
    """An ``If`` whose branches are graphs (graph-valued attributes are refused)."""
    _, y = _io()
    branch = helper.make_graph([helper.make_node("Identity", ["X"], ["Y"])], "b", [], [y])
    cond = helper.make_tensor("C", TensorProto.BOOL, [], vals=[True])
    node = helper.make_node("If", ["C"], ["Y"], then_branch=branch, else_branch=branch)
    return _model([node], initializer=[cond]).SerializeToString()


def local_function() -> bytes:
    body = helper.make_function(
        "evil", "F", ["A"], ["B"], [helper.make_node("Identity", ["A"], ["B"])], OPSET
    )
    model = _model([helper.make_node("F", ["X"], ["Y"], domain="evil")])
    model.functions.append(body)
    model.opset_import.append(helper.make_opsetid("evil", 1))
    return model.SerializeToString()


def container_bomb(size: int = 2**30) -> bytes:
    """An ONNX upload (zip with ``model.onnx``) whose parity member inflates to ``size`` bytes."""
    model = _model([helper.make_node("Identity", ["X"], ["Y"])]).SerializeToString()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("model.onnx", model)
        _write_zeros(archive, "parity_label.npy", size)
    return buffer.getvalue()


def container_traversal() -> bytes:
    model = _model([helper.make_node("Identity", ["X"], ["Y"])]).SerializeToString()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.onnx", model)
        archive.writestr("../../escaped.npy", b"x")
    return buffer.getvalue()


HOSTILE_ONNX: dict[str, Callable[[], bytes]] = {
    "onnx external data -> /etc/passwd": external_data,
    "onnx custom operator domain": custom_domain,
    "onnx subgraph (If)": subgraph,
    "onnx model-local function": local_function,
    "onnx upload zip bomb": container_bomb,
    "onnx upload ../ member": container_traversal,
}
