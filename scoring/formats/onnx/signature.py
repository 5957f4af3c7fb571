"""What a checked ONNX model takes and gives: its feeds, its outputs and its classes.

Outputs (at most two, tensors):

- a classifier gives its labels first and its probabilities second, or names them ``label`` /
  ``output_label`` and ``probabilities`` / ``output_probability`` (what skl2onnx and onnxmltools
  emit). A ``ZipMap`` that turns the probabilities into a list of maps is taken out of the graph, so
  the probabilities come back as one float matrix;
- a regressor gives one float tensor of values.

The class of each probability column is read from the ``ZipMap`` (``classlabels_*``), else from the
one class list the graph's ``ai.onnx.ml`` classifiers agree on, else from the metadata entry
``classes`` (a JSON list). Inputs are described here and matched to frame columns in ``feeds``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import onnx

from scoring.formats.onnx.check import refuse
from scoring.formats.onnx.ops import CLASSIFIER_OPERATORS
from scoring.schema import MAX_COLUMNS

TensorType = onnx.TensorProto
INPUT_TYPES = frozenset(
    {TensorType.FLOAT, TensorType.DOUBLE, TensorType.INT64, TensorType.INT32, TensorType.STRING}
)
LABEL_TYPES = INPUT_TYPES | {TensorType.BOOL}
FLOAT_TYPES = frozenset({TensorType.FLOAT, TensorType.DOUBLE})
LABEL_NAMES = ("label", "output_label")
PROBA_NAMES = ("probabilities", "output_probability")
CLASSES_METADATA = "classes"


@dataclass(frozen=True)
class InputSpec:
    name: str
    elem_type: int
    rank: int  # 1 or 2
    width: int | None  # declared length of the second axis (None: unknown or symbolic)


@dataclass(frozen=True)
class Signature:
    inputs: tuple[InputSpec, ...]
    predict_output: str  # labels of a classifier, values of a regressor
    proba_output: str | None
    classes: np.ndarray | None  # the class of each probability column (str or int64)


def read_signature(model: onnx.ModelProto) -> Signature:
    """Take a ``ZipMap`` out of ``model`` (in place) and describe its inputs, outputs and classes."""
    zipmap_classes = strip_zipmap(model)
    predict_output, proba_output = _outputs(model.graph)
    classes = None
    if proba_output is not None or _elem_type(model.graph, predict_output) not in FLOAT_TYPES:
        classes = zipmap_classes if zipmap_classes is not None else _declared_classes(model)
    return Signature(_inputs(model.graph), predict_output, proba_output, classes)


def strip_zipmap(model: onnx.ModelProto) -> np.ndarray | None:
    """Remove a ``ZipMap`` feeding a graph output (the output becomes its float input); its classes."""
    graph = model.graph
    found = [i for i, node in enumerate(graph.node) if node.op_type == "ZipMap"]
    if not found:
        return None
    if len(found) > 1:
        raise refuse("The ONNX model has more than one ZipMap.")
    node = graph.node[found[0]]
    outputs = [output.name for output in graph.output]
    if node.output[0] not in outputs or node.input[0] in outputs:
        raise refuse("The ONNX model's ZipMap must give one of the model's outputs.")
    if any(node.output[0] in other.input for other in graph.node):
        raise refuse("The ONNX model's ZipMap output feeds other operators.")
    classes = _class_labels(node)
    if classes is None:
        raise refuse("The ONNX model's ZipMap does not list its classes.")
    position = outputs.index(node.output[0])
    graph.output[position].CopyFrom(onnx.helper.make_tensor_value_info(node.input[0], TensorType.FLOAT, None))
    del graph.node[found[0]]
    return classes


def _inputs(graph: onnx.GraphProto) -> tuple[InputSpec, ...]:
    constants = {tensor.name for tensor in graph.initializer}
    specs = tuple(_input(value) for value in graph.input if value.name not in constants)
    if not specs:
        raise refuse("The ONNX model takes no inputs.")
    if len(specs) > MAX_COLUMNS:
        raise refuse(f"The ONNX model takes {len(specs)} inputs; the limit is {MAX_COLUMNS}.")
    if len({spec.name for spec in specs}) != len(specs):
        raise refuse("The ONNX model names two inputs the same.")
    return specs


def _input(value: onnx.ValueInfoProto) -> InputSpec:
    shown = repr(value.name[:60])
    if value.type.WhichOneof("value") != "tensor_type":
        raise refuse(f"The ONNX model's input {shown} is not a tensor.")
    tensor = value.type.tensor_type
    if tensor.elem_type not in INPUT_TYPES:
        raise refuse(f"The ONNX model's input {shown} must be float, double, int64, int32 or string.")
    dims = list(tensor.shape.dim) if tensor.HasField("shape") else None
    if dims is not None and len(dims) not in (1, 2):
        raise refuse(f"The ONNX model's input {shown} must have one or two axes (rows, columns).")
    rank = 2 if dims is None else len(dims)
    width = None
    if dims is not None and rank == 2 and dims[1].HasField("dim_value"):
        width = int(dims[1].dim_value)
    return InputSpec(value.name, int(tensor.elem_type), rank, width)


def _outputs(graph: onnx.GraphProto) -> tuple[str, str | None]:
    values = list(graph.output)
    if not 1 <= len(values) <= 2:
        raise refuse("The ONNX model must give one output (values or labels) or two (labels, probabilities).")
    for value in values:
        if value.type.WhichOneof("value") != "tensor_type":
            raise refuse(f"The ONNX model's output {value.name[:60]!r} is not a tensor.")
    names = [value.name for value in values]
    predict, proba = _pick_outputs(names)
    if _elem_type(graph, predict) not in LABEL_TYPES:
        raise refuse("The ONNX model's labels or values must be numbers or strings.")
    if proba is not None and _elem_type(graph, proba) not in FLOAT_TYPES:
        raise refuse("The ONNX model's probabilities must be float or double.")
    return predict, proba


def _pick_outputs(names: list[str]) -> tuple[str, str | None]:
    if len(names) == 1:
        return names[0], None
    label = next((n for n in names if n in LABEL_NAMES), None)
    proba = next((n for n in names if n in PROBA_NAMES), None)
    if label is not None and proba is None:
        proba = next(n for n in names if n != label)
    elif proba is not None and label is None:
        label = next(n for n in names if n != proba)
    if label is None or proba is None:
        return names[0], names[1]
    return label, proba


def _elem_type(graph: onnx.GraphProto, output: str) -> int:
    value = next(v for v in graph.output if v.name == output)
    return int(value.type.tensor_type.elem_type)


def _class_labels(node: onnx.NodeProto) -> np.ndarray | None:
    for attribute in node.attribute:
        if attribute.name == "classlabels_strings" and len(attribute.strings):
            return np.asarray([s.decode("utf-8", "replace") for s in attribute.strings], dtype=str)
        if attribute.name in ("classlabels_int64s", "classlabels_ints") and len(attribute.ints):
            return np.asarray(list(attribute.ints), dtype=np.int64)
    return None


def _declared_classes(model: onnx.ModelProto) -> np.ndarray | None:
    lists: list[np.ndarray] = []
    for node in model.graph.node:
        if node.op_type in CLASSIFIER_OPERATORS:
            labels = _class_labels(node)
            if labels is not None and not any(np.array_equal(labels, seen) for seen in lists):
                lists.append(labels)
    if len(lists) == 1:
        return lists[0]
    return _metadata_classes(model)


def _metadata_classes(model: onnx.ModelProto) -> np.ndarray | None:
    entry = next((p.value for p in model.metadata_props if p.key == CLASSES_METADATA), None)
    if entry is None:
        return None
    try:
        labels = json.loads(entry)
    except ValueError:
        raise refuse("The ONNX model's 'classes' metadata is not a JSON list.") from None
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise refuse("The ONNX model's 'classes' metadata must be a JSON list of class names.")
    return np.asarray(labels, dtype=str)
