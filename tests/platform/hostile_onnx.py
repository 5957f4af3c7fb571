"""Hostile ONNX files for the platform's attack tests (never run): models breaking the static checks
(``tests.engine.onnx_builders``: external data that points at a file, a custom operator domain, a
subgraph, a model-local function) and hostile ONNX uploads (a zip bomb, a ``../`` member)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from tests.engine import onnx_builders
from tests.engine.malicious import _write_zeros


def container_bomb(size: int = 2**30) -> bytes:
    """An ONNX upload (zip with ``model.onnx``) whose parity member inflates to ``size`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("model.onnx", onnx_builders.classifier())
        _write_zeros(archive, "parity_label.npy", size)
    return buffer.getvalue()


def container_traversal() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.onnx", onnx_builders.classifier())
        archive.writestr("../../escaped.npy", b"x")
    return buffer.getvalue()


HOSTILE_ONNX: dict[str, Callable[[], bytes]] = {
    "onnx external data -> /etc/passwd": onnx_builders.with_external_initializer,
    "onnx custom operator domain": onnx_builders.with_custom_domain,
    "onnx subgraph (If)": onnx_builders.with_if,
    "onnx model-local function": onnx_builders.with_function,
    "onnx upload zip bomb": container_bomb,
    "onnx upload ../ member": container_traversal,
}
