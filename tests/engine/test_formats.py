"""The model-format registry: every format has every part, and every caller goes through it.

A stand-in third format (``FAKE``), registered for one test, shows that sniffing, loading, the upload's
audit, the parity check, the sandbox warm-up, export and the store's parity decision all reach a new
format without another change.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from scoring import formats
from scoring.errors import EngineError, Reason
from scoring.export import export_model
from scoring.formats import ModelFormat, check_file, format_name, load_model, registry
from scoring.formats.onnx.container import write_container
from scoring.formats.onnx.sample import sample_frame, tiny_classifier
from scoring.sandbox.predict import check_parity

pytestmark = pytest.mark.engine

MAGIC = b"%FAKE-MODEL\n"
CLASSES = ("no", "yes")
OPTIONAL_PARTS = {"parity"}  # None means "this format has no parity check"


def sample_files() -> dict[str, bytes]:
    """A file of each registered format."""
    frame = sample_frame()
    fitted = LogisticRegression().fit(frame[["x"]], np.where(frame["x"] > 0, "yes", "no"))
    onnx_upload = write_container(tiny_classifier().SerializeToString(), {})
    return {"skops": export_model(fitted, "skops"), "onnx": onnx_upload}


def test_the_registry_lists_exactly_skops_and_onnx() -> None:
    assert formats.names() == ("skops", "onnx")
    assert set(sample_files()) == set(formats.names())  # a new format needs a sample file here too


@pytest.mark.parametrize("model_format", registry.REGISTRY, ids=formats.names())
def test_each_format_has_every_part(model_format: ModelFormat) -> None:
    for field in dataclasses.fields(ModelFormat):
        value = getattr(model_format, field.name)
        if value is None and field.name in OPTIONAL_PARTS:
            continue
        if field.type == "str":
            assert isinstance(value, str) and value, field.name
        else:
            assert callable(value), field.name
    assert model_format.extension.startswith(".") and "/" in model_format.content_type
    assert formats.get(model_format.name) is model_format


@pytest.mark.parametrize("name", ["skops", "onnx"])
def test_each_format_recognises_its_own_files_by_their_bytes(name: str) -> None:
    data = sample_files()[name]
    assert formats.sniff(data).name == name
    assert check_file(data) == name


def test_an_unknown_format_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown format 'pickle'; use one of 'skops', 'onnx'"):
        formats.get("pickle")


def test_only_a_format_with_a_parity_check_asks_the_store_for_the_train_split() -> None:
    files = sample_files()
    assert formats.checks_parity(files["onnx"])
    assert not formats.checks_parity(files["skops"])
    assert not formats.checks_parity(b"random bytes")  # refused later, by the child


# -- a third format -------------------------------------------------------------------------------
class FakeModel:
    classes_ = np.array(CLASSES)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.where(X["x"].to_numpy() > 0, "yes", "no")


@dataclasses.dataclass
class Calls:
    audited: list[bytes] = dataclasses.field(default_factory=list)
    parity: list[np.ndarray] = dataclasses.field(default_factory=list)
    warmed: int = 0


def fake_format(calls: Calls) -> ModelFormat:
    def parity(model: Any, output: Any, classes: tuple[str, ...], canonical: Any) -> None:
        calls.parity.append(canonical(output))

    def warm_up() -> None:
        calls.warmed += 1

    return ModelFormat(
        name="fake",
        display_name="Fake",
        extension=".fake",
        content_type="application/octet-stream",
        looks_like="a fake file starts with %FAKE-MODEL",
        recognizes=lambda data, members: members is None and data.startswith(MAGIC),
        audit=lambda data, *, max_uncompressed: calls.audited.append(data),
        load=lambda data, *, max_bytes, max_uncompressed: FakeModel(),
        wraps=lambda model: isinstance(model, FakeModel),
        parity=parity,
        warm_up=warm_up,
        export=lambda estimator, *, train, schema: MAGIC + type(estimator).__name__.encode(),
    )


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    calls = Calls()
    extended = (*registry.REGISTRY, fake_format(calls))
    monkeypatch.setattr(registry, "REGISTRY", extended)
    monkeypatch.setattr(formats, "REGISTRY", extended)
    yield calls


def test_a_registered_format_is_sniffed_audited_loaded_and_exported_through_the_registry(
    calls: Calls,
) -> None:
    data = export_model(LogisticRegression(), "fake")
    assert data == MAGIC + b"LogisticRegression"
    assert format_name(data) == "fake"
    assert check_file(data) == "fake" and calls.audited == [data]
    assert isinstance(load_model(data), FakeModel)
    assert formats.checks_parity(data)  # its parity check needs the train split


def test_the_parity_check_of_a_registered_format_gets_the_canonical_predictions(calls: Calls) -> None:
    frame = sample_frame()
    check_parity(load_model(MAGIC), frame, "label", CLASSES)
    (got,) = calls.parity
    assert got.tolist() == [CLASSES.index(label) for label in FakeModel().predict(frame)]


def test_the_sandbox_warm_up_runs_every_registered_format_s_hook(calls: Calls) -> None:
    from scoring.sandbox.warmup import warm_up

    warm_up()
    assert calls.warmed == 1


def test_refusals_name_the_registered_formats(calls: Calls) -> None:
    with pytest.raises(EngineError) as info:
        format_name(b"\x89HDF\r\n\x1a\n rest")
    assert info.value.reason is Reason.INVALID_MODEL
    assert "skops or ONNX or Fake" in info.value.message


# -- onnxruntime only where ONNX is met -----------------------------------------------------------
def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_loading_and_checking_skops_never_imports_onnx() -> None:
    out = _run(
        """
        import sys
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        import scoring.export, scoring.sandbox.predict
        from scoring.formats import check_file, load_model
        data = scoring.export.export_skops(LogisticRegression().fit(np.eye(2), [0, 1]))
        load_model(data), check_file(data)
        print(sorted(name for name in ("onnx", "onnxruntime", "skl2onnx") if name in sys.modules))
        """
    )
    assert out == "[]"


def test_without_onnx_installed_skops_works_and_onnx_is_refused_with_the_install_line() -> None:
    onnx_model = tiny_classifier().SerializeToString()
    out = _run(
        f"""
        import sys
        sys.modules["onnx"] = sys.modules["onnxruntime"] = None  # as if not installed
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        from scoring import formats
        from scoring.errors import EngineError
        from scoring.formats import load_model
        load_model(formats.get("skops").export(LogisticRegression().fit(np.eye(2), [0, 1])))
        try:
            load_model({onnx_model!r})
        except EngineError as exc:
            print(exc.message)
        """
    )
    assert "ONNX support is not installed here" in out and "[onnx]" in out
