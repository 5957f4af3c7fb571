"""A submission records its model's format as the engine's registry sniffs it from the bytes: the
file's name (the client names every upload ``model.skops``) says nothing."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from sklearn.linear_model import LogisticRegression

from bounty.services.artifacts import artifact_format
from scoring.export import export_skops
from scoring.formats.onnx.container import write_container
from scoring.formats.onnx.sample import tiny_classifier


def onnx_upload() -> bytes:
    return write_container(tiny_classifier().SerializeToString(), {})


def skops_file() -> bytes:
    return export_skops(LogisticRegression().fit(np.eye(2), [0, 1]))


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        ("model.skops", onnx_upload, "onnx"),
        ("model.onnx.zip", skops_file, "skops"),
        ("model", onnx_upload, "onnx"),
        ("model.skops", lambda: b"not a model at all", "unknown"),
    ],
)
def test_the_recorded_format_comes_from_the_bytes_not_the_name(
    name: str, build: Callable[[], bytes], expected: str
) -> None:
    data = build()
    upload = SimpleUploadedFile(name, data)
    assert artifact_format(upload=upload) == expected
    assert upload.read() == data  # the upload is left at its start for whoever reads it next
