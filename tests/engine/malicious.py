"""Hostile model files, built in memory, for the loader and sandbox tests.

Nothing here is ever unpickled or loaded with a permissive trust list. The "live" payloads
(``marker`` arguments) would create the marker file if they were ever executed, so a test can
assert that the file never appears.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import skops
import skops.io

SKOPS_PROTOCOL = 2
LOGISTIC = ("sklearn.linear_model._logistic", "LogisticRegression")
FUNCTION_TRANSFORMER = ("sklearn.preprocessing._function_transformer", "FunctionTransformer")


# --- pickle family ---------------------------------------------------------------------------


class _Opener:
    """Unpickling this calls ``open(marker, "w")``, creating the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (self.marker, "w"))


def pickle_payload(marker: Path, protocol: int = pickle.HIGHEST_PROTOCOL) -> bytes:
    return pickle.dumps(_Opener(marker), protocol=protocol)


def joblib_payload(marker: Path, compress: Any = 0) -> bytes:
    """A joblib file (raw, or compressed: 3 / ("gzip", 3) / ("bz2", 3) / ("xz", 3) ...)."""
    buffer = io.BytesIO()
    joblib.dump({"model": _Opener(marker), "weights": np.zeros(8)}, buffer, compress=compress)
    return buffer.getvalue()


def dill_payload() -> bytes:
    """A protocol-0 pickle that references dill's function rebuilder, as dill files do."""
    return b"cdill._dill\n_create_function\n(tR."


def lz4_joblib_header() -> bytes:
    return b"\x04\x22\x4d\x18" + bytes(64)


def onnx_like() -> bytes:
    """The start of an ONNX ModelProto: ir_version=8, producer_name="pytorch"."""
    return b"\x08\x08\x12\x07pytorch\x1a\x052.1.0" + bytes(32)


def random_bytes(n: int = 4096, seed: int = 0) -> bytes:
    return np.random.default_rng(seed).bytes(n)


# --- skops schema building blocks -------------------------------------------------------------


def node(module: str, cls: str, loader: str, **extra: Any) -> dict[str, Any]:
    return {"__module__": module, "__class__": cls, "__loader__": loader, **extra}


def json_node(value: Any) -> dict[str, Any]:
    return node("builtins", "str", "JsonNode", content=json.dumps(value), is_json=True)


def type_node(module: str, cls: str) -> dict[str, Any]:
    return node(module, cls, "TypeNode")


def list_node(items: list[dict[str, Any]]) -> dict[str, Any]:
    return node("builtins", "list", "ListNode", content=items)


def tuple_node(items: list[dict[str, Any]]) -> dict[str, Any]:
    return node("builtins", "tuple", "TupleNode", content=items)


def dict_node(
    content: dict[str, dict[str, Any]], key_type: tuple[str, str] = ("builtins", "str")
) -> dict[str, Any]:
    keys = list_node([type_node(*key_type) for _ in content])
    return node("builtins", "dict", "DictNode", content=content, key_types=keys)


def object_node(module: str, cls: str, attrs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return node(module, cls, "ObjectNode", content=dict_node(attrs))


def function_node(module: str, name: str) -> dict[str, Any]:
    return node(module, name, "FunctionNode")


def partial_node(func: dict[str, Any], args: list[dict[str, Any]]) -> dict[str, Any]:
    content = {
        "func": func,
        "args": tuple_node(args),
        "kwds": dict_node({}),
        "namespace": json_node(None),
    }
    return node("functools", "partial", "PartialNode", content=content)


def skops_zip(
    root: dict[str, Any], members: dict[str, bytes] | None = None, protocol: int = SKOPS_PROTOCOL
) -> bytes:
    """A skops archive around a hand-written root node."""
    schema = {**root, "protocol": protocol, "_skops_version": skops.__version__}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def estimator_with(attrs: dict[str, dict[str, Any]]) -> bytes:
    """A LogisticRegression node carrying the given attribute nodes."""
    return skops_zip(object_node(*LOGISTIC, attrs))


# --- hostile skops files ----------------------------------------------------------------------


def _create_marker_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').close()"


def skops_exec(marker: Path) -> bytes:
    """A dict whose key type is ``builtins.exec``: building it would call ``exec(key)``."""
    payload = dict_node({_create_marker_code(marker): json_node(1)}, ("builtins", "exec"))
    return estimator_with({"classes_": payload})


def skops_key_type_call(marker: Path, module: str = "os", name: str = "system") -> bytes:
    """A dict key "type" that is really a function: ``os.system("touch marker")``."""
    payload = dict_node({f"touch {marker}": json_node(1)}, (module, name))
    return estimator_with({"coef_": payload})


def skops_popen(marker: Path) -> bytes:
    """``subprocess.Popen(["touch", marker])`` via skops' constructor-from-reduce node."""
    argv = list_node([json_node("touch"), json_node(str(marker))])
    popen = node("subprocess", "Popen", "ConstructorFromReduceNode", content=tuple_node([argv]))
    return estimator_with({"intercept_": popen})


def skops_popen_object() -> bytes:
    """A bare ``subprocess.Popen`` object node as the root of the file."""
    return skops_zip(object_node("subprocess", "Popen", {"args": json_node("id")}))


def skops_function_transformer(func: dict[str, Any]) -> bytes:
    """A FunctionTransformer carrying ``func`` (e.g. numpy.log, builtins.eval, partial(os.system))."""
    attrs = {"func": func, "inverse_func": json_node(None), "validate": json_node(False)}
    return skops_zip(object_node(*FUNCTION_TRANSFORMER, attrs))


def skops_partial_system(marker: Path) -> bytes:
    """FunctionTransformer(func=partial(os.system, "touch marker"))."""
    func = partial_node(function_node("os", "system"), [json_node(f"touch {marker}")])
    return skops_function_transformer(func)


def skops_attrgetter() -> bytes:
    getter = node("operator", "attrgetter", "OperatorFuncNode", attrs=tuple_node([json_node("x")]))
    return estimator_with({"coef_": getter})


def skops_ndarray_named(module: str, cls: str) -> bytes:
    """An array node whose class is a function: skops would call ``module.cls(array)``."""
    buffer = io.BytesIO()
    np.save(buffer, np.array(["id"]), allow_pickle=False)
    array = node(module, cls, "NdArrayNode", type="numpy", file="a.npy")
    return skops_zip(object_node(*LOGISTIC, {"coef_": array}), {"a.npy": buffer.getvalue()})


def skops_array_claiming_shape(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """An .npy member whose header claims ``shape`` but which holds only 8 bytes of data."""
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    buffer.write(bytes(8))
    array = node("numpy", "ndarray", "NdArrayNode", type="numpy", file="a.npy")
    return skops_zip(object_node(*LOGISTIC, {"coef_": array}), {"a.npy": buffer.getvalue()})


def skops_array_with_header(text: str) -> bytes:
    """An .npy member whose (version 1.0) header is ``text``, followed by 8 bytes of data."""
    raw = text.encode("latin-1")
    data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw + bytes(8)
    array = node("numpy", "ndarray", "NdArrayNode", type="numpy", file="a.npy")
    return skops_zip(object_node(*LOGISTIC, {"coef_": array}), {"a.npy": data})


def skops_bad_bit_generator() -> bytes:
    state = dict_node({"bit_generator": json_node("seed"), "state": dict_node({})})
    content = {"bit_generator": state, "seed_seq": dict_node({})}
    generator = node("numpy.random._generator", "Generator", "RandomGeneratorNode", content=content)
    return estimator_with({"random_state": generator})


def skops_plain_dict() -> bytes:
    return skops_zip(dict_node({"predict": json_node("not a method")}))


def with_protocol(data: bytes, protocol: Any) -> bytes:
    return rewrite_schema(data, lambda schema: {**schema, "protocol": protocol})


def deeply_nested(depth: int = 5000) -> bytes:
    """Lists nested ``depth`` deep (written as text: ``json.dumps`` itself would recurse)."""
    opening = json.dumps(list_node([]))[:-2]  # '{..., "content": ['
    leaf = json.dumps(json_node(0))
    text = '{"protocol": 2, ' + opening[1:] + opening * depth + leaf + "]}" * (depth + 1)
    return _zip({"schema.json": text.encode()})


# --- editing real files -----------------------------------------------------------------------


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rewrite_schema(data: bytes, edit: Callable[[dict[str, Any]], dict[str, Any]]) -> bytes:
    members = _members(data)
    members["schema.json"] = json.dumps(edit(json.loads(members["schema.json"]))).encode()
    return _zip(members)


def _array_files(value: Any, owner: str, attr: str) -> list[str]:
    """``file`` of every array stored as attribute ``attr`` of an object of class ``owner``."""
    found: list[str] = []
    if isinstance(value, dict):
        if value.get("__class__") == owner and isinstance(value.get("content"), dict):
            attrs = value["content"].get("content", {})
            target = attrs.get(attr) if isinstance(attrs, dict) else None
            if isinstance(target, dict) and "file" in target:
                found.append(target["file"])
        for child in value.values():
            found.extend(_array_files(child, owner, attr))
    elif isinstance(value, list):
        for child in value:
            found.extend(_array_files(child, owner, attr))
    return found


def tamper_array(data: bytes, owner: str, attr: str, edit: Callable[[np.ndarray], np.ndarray]) -> bytes:
    """Rewrite array ``attr`` of every ``owner`` object (e.g. ``"Tree"``, ``"nodes"``)."""
    members = _members(data)
    files = _array_files(json.loads(members["schema.json"]), owner, attr)
    assert files, f"no {owner}.{attr} array in this file"
    for name in set(files):
        array = np.load(io.BytesIO(members[name]), allow_pickle=False)
        out = io.BytesIO()
        np.save(out, edit(array.copy()), allow_pickle=False)
        members[name] = out.getvalue()
    return _zip(members)


def skops_bytes(model: Any) -> bytes:
    return skops.io.dumps(model)


# --- hostile archives -------------------------------------------------------------------------


def _bomb_schema(name: str) -> bytes:
    array = node("numpy", "ndarray", "NdArrayNode", type="numpy", file=name)
    schema = {**object_node(*LOGISTIC, {"coef_": array}), "protocol": SKOPS_PROTOCOL}
    return json.dumps(schema).encode()


def _write_zeros(archive: zipfile.ZipFile, name: str, size: int) -> None:
    chunk = bytes(1 << 20)
    with archive.open(name, "w", force_zip64=True) as member:
        for _ in range(size // len(chunk)):
            member.write(chunk)
        member.write(bytes(size % len(chunk)))


def zip_bomb(size: int = 2**30, level: int = 1) -> bytes:
    """A skops-looking archive with one member of ``size`` zero bytes, deflated while streaming."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("schema.json", _bomb_schema("bomb.npy"))
        _write_zeros(archive, "bomb.npy", size)
    return buffer.getvalue()


def nested_npz_bomb(size: int = 600 * 2**20) -> bytes:
    """A sparse-matrix member that is itself a zip holding ``size`` deflated zeros."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        _write_zeros(archive, "data.npy", size)
    matrix = node("scipy.sparse._csr", "csr_matrix", "SparseMatrixNode", type="scipy", file="m.npz")
    return skops_zip(object_node(*LOGISTIC, {"coef_": matrix}), {"m.npz": inner.getvalue()})


def zip_with_member(name: str) -> bytes:
    """A skops-looking archive with an extra member called ``name`` (e.g. "../evil")."""
    return skops_zip(json_node(1), {name: b"x"})


def zip_with_duplicate_member() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", json.dumps({**json_node(1), "protocol": 2}))
        archive.writestr("a.npy", b"one")
        archive.writestr("a.npy", b"two")
    return buffer.getvalue()


def zip_without_schema(names: tuple[str, ...] = ("model.bin",)) -> bytes:
    return _zip({name: b"data" for name in names})


def zip_with_members(count: int) -> bytes:
    return skops_zip(json_node(1), {f"m{i}.bin": b"" for i in range(count)})
