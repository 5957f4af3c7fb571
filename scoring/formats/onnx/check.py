"""Static checks of an uploaded ONNX model, from its bytes alone, before onnxruntime sees it.

Refused: files over ``max_bytes``, bytes that do not parse as a ``ModelProto``, tensors whose data
live outside the file (``data_location == EXTERNAL``: onnxruntime would open that path), graph-valued
attributes (the bodies of ``If``, ``Loop`` and ``Scan``), model-local functions, training information,
sparse tensors, operator domains other than the default one and ``ai.onnx.ml`` (custom operators),
any operator off ``ONNX_OPERATORS``, more than ``max_nodes`` nodes, and whatever
``onnx.checker.check_model`` rejects. The model is only ever parsed from bytes, never from a path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import onnx

from scoring.errors import EngineError, Reason
from scoring.formats.base import DEFAULT_MAX_BYTES
from scoring.formats.onnx.ops import domain_of, is_allowed

DEFAULT_MAX_NODES = 20_000
_GRAPH_TYPES = frozenset({onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS})
_SPARSE_TYPES = frozenset({onnx.AttributeProto.SPARSE_TENSOR, onnx.AttributeProto.SPARSE_TENSORS})


def refuse(message: str) -> EngineError:
    return EngineError(Reason.INVALID_MODEL, message, field="model")


def check_onnx(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_nodes: int = DEFAULT_MAX_NODES
) -> onnx.ModelProto:
    """The parsed model, or ``EngineError(INVALID_MODEL)`` naming the first refusal."""
    if len(data) > max_bytes:
        raise refuse(f"The ONNX model is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    model = _parse(data)
    _check_model_fields(model)
    _check_graph(model.graph, max_nodes)
    _check_with_checker(model)
    return model


def _parse(data: bytes) -> onnx.ModelProto:
    try:
        model = onnx.load_model_from_string(data, format="protobuf")
    except Exception as exc:  # protobuf's DecodeError, RecursionError on deep nesting, ...
        raise refuse("The file is not a valid ONNX model (it could not be parsed).") from exc
    if not model.HasField("graph") or not model.graph.node:
        raise refuse("The ONNX model has no graph.")
    return model


def _check_model_fields(model: onnx.ModelProto) -> None:
    if len(model.functions):
        raise refuse("The ONNX model defines its own functions, which this server does not run.")
    if len(model.training_info):
        raise refuse("The ONNX model carries training information, which this server does not run.")
    for opset in model.opset_import:
        if domain_of(opset.domain) is None:
            raise refuse(
                f"The ONNX model uses the operator domain {opset.domain[:60]!r}; only the standard "
                "domains ('' / 'ai.onnx' and 'ai.onnx.ml') are allowed (no custom operators)."
            )


def _check_graph(graph: onnx.GraphProto, max_nodes: int) -> None:
    if len(graph.node) > max_nodes:
        raise refuse(f"The ONNX model has {len(graph.node):,} nodes; the limit is {max_nodes:,}.")
    if len(graph.sparse_initializer):
        raise refuse("The ONNX model has sparse initializers, which this server does not load.")
    _check_tensors(graph.initializer)
    for node in graph.node:
        _check_attributes(node)
        if domain_of(node.domain) is None:
            raise refuse(
                f"The ONNX model uses the operator {node.op_type[:60]!r} from the domain "
                f"{node.domain[:60]!r}; custom operators are not allowed."
            )
        if not is_allowed(node.domain, node.op_type):
            raise refuse(
                f"The ONNX model uses the operator {node.op_type[:60]!r}, which this server does "
                "not run (see docs/model-formats.md for the operators it does)."
            )


def _check_attributes(node: onnx.NodeProto) -> None:
    for attribute in node.attribute:
        if attribute.type in _GRAPH_TYPES or attribute.HasField("g") or len(attribute.graphs):
            raise refuse(
                f"The ONNX operator {node.op_type[:60]!r} carries a subgraph; control flow "
                "(If, Loop, Scan) is not allowed."
            )
        if attribute.type in _SPARSE_TYPES or attribute.HasField("sparse_tensor"):
            raise refuse("The ONNX model has a sparse tensor attribute, which this server does not load.")
        if len(attribute.sparse_tensors):
            raise refuse("The ONNX model has a sparse tensor attribute, which this server does not load.")
        _check_tensors(_attribute_tensors(attribute))


def _attribute_tensors(attribute: onnx.AttributeProto) -> Iterator[onnx.TensorProto]:
    if attribute.HasField("t"):
        yield attribute.t
    yield from attribute.tensors


def _check_tensors(tensors: Iterable[onnx.TensorProto]) -> None:
    for tensor in tensors:
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            raise refuse(
                f"The ONNX tensor {tensor.name[:60]!r} keeps its data in an external file; "
                "upload a model with all its data inside."
            )


def _check_with_checker(model: onnx.ModelProto) -> None:
    try:
        onnx.checker.check_model(model, full_check=False)
    except Exception as exc:  # ValidationError, and ValueError for protos the checker cannot take
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise refuse(f"The ONNX model is not valid: {detail}") from exc
