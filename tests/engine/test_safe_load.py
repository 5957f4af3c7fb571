"""The safe loader: format sniffing, hostile files, zip bombs, and round-trips of trusted models."""

from __future__ import annotations

import pickle
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops.io

from scoring.errors import EngineError, Reason
from scoring.formats import DEFAULT_MAX_BYTES, format_name, load_model
from scoring.safe_load import audit, zipguard
from tests.engine import malicious
from tests.engine.model_zoo import fitted_zoo

pytestmark = pytest.mark.engine


def _refusal(data: bytes, **kwargs: Any) -> str:
    with pytest.raises(EngineError) as info:
        load_model(data, **kwargs)
    assert info.value.reason is Reason.INVALID_MODEL
    return info.value.message


@pytest.fixture(scope="module")
def logistic_file() -> bytes:
    return skops.io.dumps(fitted_zoo()["logistic"].model)


# --- sniffing ---------------------------------------------------------------------------------


def test_sniff_accepts_a_skops_file(logistic_file: bytes) -> None:
    assert format_name(logistic_file) == "skops"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_sniff_refuses_pickles_of_every_protocol(tmp_path: Path, protocol: int) -> None:
    with pytest.raises(EngineError, match="pickle") as info:
        format_name(malicious.pickle_payload(tmp_path / "m", protocol))
    assert info.value.reason is Reason.INVALID_MODEL


@pytest.mark.parametrize("compress", [3, ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)])
def test_sniff_recognises_compressed_joblib_files(tmp_path: Path, compress: Any) -> None:
    with pytest.raises(EngineError, match="compressed joblib/pickle"):
        format_name(malicious.joblib_payload(tmp_path / "m", compress))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (malicious.joblib_payload(Path("/nonexistent/m")), "joblib file"),
        (malicious.dill_payload(), "dill file"),
        (malicious.lz4_joblib_header(), "compressed joblib"),
        (b"", "empty"),
        (malicious.random_bytes(), "Unrecognised"),
        (b"\x93NUMPY\x01\x00", "NumPy array"),
        (malicious.zip_without_schema(), "with schema.json at the top"),
        (malicious.zip_without_schema(("archive/data.pkl",)), "pickle"),
        (b"PK\x03\x04 truncated", "not a valid"),
    ],
)
def test_sniff_names_what_it_refuses(data: bytes, expected: str) -> None:
    with pytest.raises(EngineError, match=expected) as info:
        format_name(data)
    assert info.value.reason is Reason.INVALID_MODEL


def test_sniff_refuses_oversized_files(logistic_file: bytes) -> None:
    with pytest.raises(EngineError, match="limit is 104,857,600 bytes"):
        format_name(bytes(DEFAULT_MAX_BYTES + 1))
    with pytest.raises(EngineError, match="limit is 1,000 bytes"):
        load_model(logistic_file, max_bytes=1000)


# --- code-execution attempts ------------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_payload_is_refused_and_never_runs(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "pwned"
    assert "pickle" in _refusal(malicious.pickle_payload(marker, protocol))
    assert not marker.exists()


@pytest.mark.parametrize("compress", [0, 3, ("gzip", 3), ("bz2", 3), ("xz", 3)])
def test_joblib_payload_is_refused_and_never_runs(tmp_path: Path, compress: Any) -> None:
    marker = tmp_path / "pwned"
    assert "joblib" in _refusal(malicious.joblib_payload(marker, compress))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("build", "asked_for"),
    [
        (malicious.skops_exec, "builtins.exec"),
        (malicious.skops_popen, "subprocess.Popen"),
        (malicious.skops_key_type_call, "os.system"),
        (malicious.skops_partial_system, "os.system"),
    ],
)
def test_live_skops_payloads_are_refused_and_never_run(tmp_path: Path, build: Any, asked_for: str) -> None:
    marker = tmp_path / "pwned"
    message = _refusal(build(marker))
    assert "the file asks for types this server does not load" in message.lower()
    assert asked_for in message
    assert not marker.exists()


def test_refusal_message_lists_the_exact_untrusted_type(tmp_path: Path) -> None:
    message = _refusal(malicious.skops_exec(tmp_path / "m"))
    assert message == "The file asks for types this server does not load: builtins.exec."


@pytest.mark.parametrize(
    ("data", "asked_for"),
    [
        (malicious.skops_popen_object(), "subprocess.Popen"),
        (malicious.skops_attrgetter(), "operator.attrgetter"),
        (malicious.skops_ndarray_named("os", "system"), "os.system"),
        (malicious.skops_ndarray_named("numpy", "load"), "numpy.load"),
        (malicious.skops_bad_bit_generator(), "numpy.random.seed"),
        (
            malicious.skops_function_transformer(malicious.function_node("builtins", "eval")),
            "FunctionTransformer",
        ),
        (
            malicious.skops_function_transformer(malicious.function_node("numpy", "log")),
            "FunctionTransformer",
        ),
    ],
)
def test_function_bearing_skops_nodes_are_refused(data: bytes, asked_for: str) -> None:
    assert asked_for in _refusal(data)


def test_our_list_is_stricter_than_skops_defaults() -> None:
    """skops trusts FunctionTransformer and numpy ufuncs by default; we do not."""
    data = malicious.skops_function_transformer(malicious.function_node("numpy", "log"))
    assert skops.io.get_untrusted_types(data=data) == []
    assert "FunctionTransformer" in _refusal(data)


def test_function_transformer_cannot_smuggle_an_inverse_function() -> None:
    attrs = {"func": malicious.json_node(None), "inverse_func": malicious.function_node("os", "system")}
    data = malicious.skops_zip(malicious.object_node(*malicious.FUNCTION_TRANSFORMER, attrs))
    assert "os.system" in _refusal(data)


CHECK_ARRAY = malicious.function_node("sklearn.utils.validation", "check_array")


@pytest.mark.parametrize(
    ("data", "asked_for"),
    [
        (
            malicious.skops_function_transformer(
                malicious.partial_node(malicious.function_node("numpy", "log"), [])
            ),
            "numpy.log",
        ),
        (
            malicious.skops_function_transformer(
                malicious.partial_node(CHECK_ARRAY, [malicious.json_node(1)])
            ),
            "functools.partial",
        ),
        (malicious.estimator_with({"coef_": CHECK_ARRAY}), "check_array"),
        (
            malicious.estimator_with({"coef_": malicious.partial_node(CHECK_ARRAY, [])}),
            "functools.partial",
        ),
    ],
)
def test_check_array_is_only_accepted_in_the_shape_hgb_builds(data: bytes, asked_for: str) -> None:
    assert asked_for in _refusal(data)


@pytest.mark.parametrize("protocol", [0, 1, 3, True, "2", None])
def test_unsupported_skops_protocols_are_refused(logistic_file: bytes, protocol: Any) -> None:
    assert "protocol" in _refusal(malicious.with_protocol(logistic_file, protocol))


def test_deeply_nested_schema_is_refused() -> None:
    assert "nested too deeply" in _refusal(malicious.deeply_nested())


# --- zip bombs and archive paths --------------------------------------------------------------


def test_gigabyte_zip_bomb_is_refused_from_the_directory_alone() -> None:
    bomb = malicious.zip_bomb(2**30)
    assert len(bomb) < 16 * 2**20
    tracemalloc.start()
    try:
        message = _refusal(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "inflate" in message
    assert peak < 4 * len(bomb) + 2**20


def test_high_ratio_member_is_refused_even_under_the_size_budget() -> None:
    bomb = malicious.zip_bomb(64 * 2**20, level=9)
    assert "more than 200:1" in _refusal(bomb)


def test_total_uncompressed_size_is_capped(logistic_file: bytes) -> None:
    assert "limit is 1,000 bytes" in _refusal(logistic_file, max_uncompressed=1000)


def test_zip_bomb_nested_in_a_sparse_matrix_member_is_refused() -> None:
    assert "inflate" in _refusal(malicious.nested_npz_bomb())


@pytest.mark.parametrize(("shape", "descr"), [((10**12,), "<f8"), ((2**40, 2**30), "<f8"), ((1,), "|O")])
def test_arrays_declaring_more_data_than_they_hold_are_refused(shape: tuple[int, ...], descr: str) -> None:
    message = _refusal(malicious.skops_array_claiming_shape(shape, descr))
    assert "does not hold the data it declares" in message


@pytest.mark.parametrize(
    "header",
    [
        "{'descr': '<f8'}, {'y': (\n",  # numpy's fallback tokenizer fails
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1, }\n",
        "[1, 2]\n",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } junk\n",
    ],
)
def test_arrays_with_malformed_headers_are_refused_as_invalid_models(header: str) -> None:
    assert "malformed header" in _refusal(malicious.skops_array_with_header(header))


@pytest.mark.parametrize(
    "name", ["../evil.npy", "a/../../evil.npy", "/etc/evil.npy", "C:/evil.npy", "..\\evil.npy"]
)
def test_unsafe_member_names_are_refused(name: str) -> None:
    assert "unsafe member name" in _refusal(malicious.zip_with_member(name))


def test_duplicate_member_names_are_refused() -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = malicious.zip_with_duplicate_member()
    assert "same name" in _refusal(data)


def test_member_count_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipguard, "MAX_MEMBERS", 10)
    assert "limit is 10" in _refusal(malicious.zip_with_members(11))


def test_schema_size_is_capped(monkeypatch: pytest.MonkeyPatch, logistic_file: bytes) -> None:
    monkeypatch.setattr(zipguard, "MAX_SCHEMA_BYTES", 1000)
    assert "schema.json is larger" in _refusal(logistic_file)


def test_schema_nesting_is_capped(monkeypatch: pytest.MonkeyPatch, logistic_file: bytes) -> None:
    monkeypatch.setattr(audit, "MAX_DEPTH", 5)
    assert "nested too deeply" in _refusal(logistic_file)


# --- tampered index arrays --------------------------------------------------------------------


def _model_file(name: str) -> bytes:
    return skops.io.dumps(fitted_zoo()[name].model)


def _first_split(nodes: np.ndarray) -> int:
    names = nodes.dtype.names or ()
    internal = nodes["is_leaf"] == 0 if "is_leaf" in names else nodes["left_child"] != -1
    return int(np.flatnonzero(internal)[0])


def _on_first_split(field: str, value: int) -> Any:
    def edit(nodes: np.ndarray) -> np.ndarray:
        nodes[field][_first_split(nodes)] = value
        return nodes

    return edit


@pytest.mark.parametrize(
    ("name", "owner", "field", "value"),
    [
        ("decision_tree", "Tree", "left_child", 10**6),
        ("decision_tree", "Tree", "feature", 10**4),
        ("random_forest", "Tree", "right_child", 0),
        ("gradient_boosting", "Tree", "feature", -5),
        ("hist_gb_native_categorical", "TreePredictor", "feature_idx", 10**4),
        ("hist_gb_native_categorical", "TreePredictor", "left", 10**6),
        ("multi_hist_gb", "TreePredictor", "right", 0),
    ],
)
def test_trees_with_out_of_range_indices_are_refused(name: str, owner: str, field: str, value: int) -> None:
    data = malicious.tamper_array(_model_file(name), owner, "nodes", _on_first_split(field, value))
    assert "inconsistent" in _refusal(data)


def test_svm_with_mismatched_support_counts_is_refused() -> None:
    def edit(n_support: np.ndarray) -> np.ndarray:
        n_support[0] += 5
        return n_support

    data = malicious.tamper_array(_model_file("svc"), "SVC", "_n_support", edit)
    assert "SVM" in _refusal(data)
