"""The sandbox's happy paths and refusals: results equal in-process predictions exactly."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

from scoring.errors import EngineError, Reason
from scoring.frames import read_frame, write_frame
from scoring.safe_load import to_plain_array, validate_predictions
from scoring.sandbox import Limits, Output, PairJob, SplitJob, _selftest, run_model, run_pair, spawner
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine
REGIONS = ("north", "south", "east", "west")
CLASSES = ("no", "yes")
SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("income", Kind.NUMERIC),
        Column("member", Kind.BOOLEAN),
        Column("region", Kind.CATEGORICAL, REGIONS),
    ),
    target="y",
    task=Task.BINARY,
    classes=CLASSES,
)


def make_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, n)
    age[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "age": age,
            "income": rng.lognormal(10, 0.5, n),
            "member": rng.choice(["true", "false"], n),
            "region": rng.choice(list(REGIONS), n),
        }
    )


def score(X: pd.DataFrame) -> np.ndarray:
    south = (X["region"] == "south").to_numpy()
    return (X["age"].fillna(40).to_numpy() - 40) / 12 + 0.8 * south - 0.5 * X["member"].to_numpy()


def fit(model: Any, X: pd.DataFrame, y: Any) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return skops.io.dumps(model)


def one_hot(model: Any) -> Pipeline:
    encode = ColumnTransformer([("region", OneHotEncoder(), ["region"])], remainder="passthrough")
    return Pipeline([("pre", encode), ("fill", SimpleImputer()), ("model", model)])


@dataclass
class World:
    holdout: Path
    confirmation: Path
    frames: dict[str, pd.DataFrame]
    classifier: Any
    classifier_bytes: bytes
    regressor: Any
    regressor_bytes: bytes


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    train = SCHEMA.coerce(make_frame(600, 0))
    labels = np.where(score(train) > 0.2, "yes", "no")
    classifier = HistGradientBoostingClassifier(max_iter=15, random_state=0)
    regressor = HistGradientBoostingRegressor(max_iter=15, random_state=0)
    classifier_bytes = fit(classifier, train, labels)
    regressor_bytes = fit(regressor, train, score(train))
    frames, dirs = {}, {}
    for name, n, seed in (("holdout", 400, 1), ("confirmation", 300, 2)):
        dirs[name] = tmp_path_factory.mktemp(name)
        write_frame(make_frame(n, seed), SCHEMA, dirs[name])
        frames[name] = read_frame(dirs[name], mmap=False)
    return World(
        dirs["holdout"],
        dirs["confirmation"],
        frames,
        classifier,
        classifier_bytes,
        regressor,
        regressor_bytes,
    )


def in_process(model: Any, X: pd.DataFrame, output: Output, classes: tuple[str, ...]) -> np.ndarray:
    raw = model.predict_proba(X) if output == "proba" else model.predict(X)
    known = to_plain_array(model.classes_) if output == "proba" else None
    return validate_predictions(
        to_plain_array(raw),
        output=output,
        n_rows=len(X),
        classes=classes,
        model_classes=known,
    )


@pytest.mark.parametrize("output", ["label", "proba"])
def test_tree_masks_give_in_process_predictions_on_the_masked_rows(world: World, output: Output) -> None:
    masks = {name: (frame["age"] > 45).to_numpy() for name, frame in world.frames.items()}
    job = PairJob(
        model=world.classifier_bytes,
        output=output,
        classes=CLASSES,
        splits={
            "holdout": SplitJob(world.holdout, masks["holdout"]),
            "confirmation": SplitJob(world.confirmation, masks["confirmation"]),
        },
    )
    results = run_pair(job)
    assert list(results) == ["holdout", "confirmation"]
    for name, result in results.items():
        frame = world.frames[name]
        assert np.array_equal(result.mask, masks[name])
        want = in_process(world.classifier, frame[masks[name]], output, CLASSES)
        assert result.predictions.dtype == want.dtype
        assert np.array_equal(result.predictions, want)


def test_group_model_membership_and_predictions_match_in_process(world: World) -> None:
    train = SCHEMA.coerce(make_frame(600, 3))
    group = HistGradientBoostingClassifier(max_iter=10, random_state=0)
    group_bytes = fit(group, train, (train["region"] == "south").to_numpy() & (score(train) > 0))
    job = PairJob(
        model=world.classifier_bytes,
        output="proba",
        classes=CLASSES,
        splits={"holdout": SplitJob(world.holdout, None), "confirmation": SplitJob(world.confirmation, None)},
        group_model=group_bytes,
    )
    for name, result in run_pair(job).items():
        frame = world.frames[name]
        members = group.predict(frame) == True  # noqa: E712 - the positive class is True
        assert 0 < members.sum() < len(frame)
        assert np.array_equal(result.mask, members)
        want = in_process(world.classifier, frame[members], "proba", CLASSES)
        assert np.array_equal(result.predictions, want)


@pytest.mark.parametrize(
    ("labels", "positive"),
    [
        ((False, True), True),
        ((0, 1), 1),
        ((1, 2), 1),
        (("in", "out"), "out"),
    ],
)
def test_group_model_positive_class_is_true_then_one_then_the_last(
    world: World, labels: tuple[Any, Any], positive: Any
) -> None:
    train = SCHEMA.coerce(make_frame(600, 4))
    target = np.where(score(train) > 0.3, labels[0], labels[1])
    group = one_hot(LogisticRegression())
    job = PairJob(
        model=world.classifier_bytes,
        output="label",
        classes=CLASSES,
        splits={"holdout": SplitJob(world.holdout, None)},
        group_model=fit(group, train, target),
    )
    result = run_pair(job)["holdout"]
    assert np.array_equal(result.mask, group.predict(world.frames["holdout"]) == positive)
    assert len(result.predictions) == result.mask.sum()


def test_run_model_predicts_every_row_like_in_process(world: World) -> None:
    got = run_model(world.regressor_bytes, world.holdout, "value", ())
    want = in_process(world.regressor, world.frames["holdout"], "value", ())
    assert got.dtype == np.float64
    assert np.array_equal(got, want)
    labels = run_model(world.classifier_bytes, world.confirmation, "label", CLASSES)
    assert np.array_equal(
        labels, in_process(world.classifier, world.frames["confirmation"], "label", CLASSES)
    )


def test_an_empty_group_gives_empty_predictions(world: World) -> None:
    mask = np.zeros(len(world.frames["holdout"]), dtype=bool)
    job = PairJob(world.classifier_bytes, "proba", CLASSES, {"holdout": SplitJob(world.holdout, mask)})
    result = run_pair(job)["holdout"]
    assert result.predictions.shape == (0, 2)
    assert not result.mask.any()


def expect(reason: Reason, job: PairJob, limits: Limits = Limits()) -> EngineError:  # noqa: B008
    with pytest.raises(EngineError) as info:
        run_pair(job, limits)
    assert info.value.reason is reason, info.value
    return info.value


def all_rows(world: World) -> dict[str, SplitJob]:
    return {"holdout": SplitJob(world.holdout, np.ones(len(world.frames["holdout"]), dtype=bool))}


def test_bytes_that_are_not_a_model_are_an_invalid_model(world: World) -> None:
    expect(Reason.INVALID_MODEL, PairJob(b"not a model at all", "label", CLASSES, all_rows(world)))


def test_probabilities_from_a_model_without_predict_proba_are_refused(world: World) -> None:
    train = SCHEMA.coerce(make_frame(300, 5))
    blob = fit(one_hot(LinearSVC()), train, np.where(score(train) > 0, "yes", "no"))
    expect(Reason.INVALID_MODEL, PairJob(blob, "proba", CLASSES, all_rows(world)))


def test_an_unknown_class_on_the_hidden_rows_is_refused_without_quoting_the_output(world: World) -> None:
    """What a model returns on hidden rows is holdout information: the refusal names no label."""
    train = SCHEMA.coerce(make_frame(300, 6))
    blob = fit(one_hot(LogisticRegression()), train, np.where(score(train) > 0, "yes", "maybe"))
    error = expect(Reason.PREDICTION_ERROR, PairJob(blob, "label", CLASSES, all_rows(world)))
    assert "maybe" not in error.message
    assert "bounty check" in error.message


def test_a_model_for_other_columns_fails_without_revealing_details(world: World) -> None:
    other = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [0.0, 1.0, 0.0, 1.0]})
    blob = fit(LogisticRegression(), other, np.array(["no", "yes", "no", "yes"]))
    error = expect(Reason.PREDICTION_ERROR, PairJob(blob, "label", CLASSES, all_rows(world)))
    assert error.message == "The model raised ValueError while predicting."


def test_masks_that_do_not_fit_the_frame_are_refused_before_running(world: World) -> None:
    short = {"holdout": SplitJob(world.holdout, np.ones(3, dtype=bool))}
    expect(Reason.INVALID_GROUP, PairJob(world.classifier_bytes, "label", CLASSES, short))
    ints = {"holdout": SplitJob(world.holdout, np.ones(len(world.frames["holdout"]), dtype=int))}
    expect(Reason.INVALID_GROUP, PairJob(world.classifier_bytes, "label", CLASSES, ints))
    none = {"holdout": SplitJob(world.holdout, None)}
    expect(Reason.INVALID_GROUP, PairJob(world.classifier_bytes, "label", CLASSES, none))


def test_a_model_over_the_size_limit_is_refused(world: World) -> None:
    job = PairJob(world.classifier_bytes, "label", CLASSES, all_rows(world))
    expect(Reason.INVALID_MODEL, job, Limits(max_model_bytes=1000))


def test_output_over_the_cap_is_a_resource_limit(world: World) -> None:
    job = PairJob(world.classifier_bytes, "proba", CLASSES, all_rows(world))
    expect(Reason.RESOURCE_LIMIT, job, Limits(max_output_bytes=2000))


def test_the_child_environment_holds_no_secrets() -> None:
    spawner.shutdown()
    os.environ["BOUNTY_TEST_SECRET"] = "hunter2"
    try:
        names = _selftest("environ").split()
    finally:
        del os.environ["BOUNTY_TEST_SECRET"]
        spawner.shutdown()
    assert "BOUNTY_TEST_SECRET" not in names
    assert all(n in {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"} or "_" in n for n in names)


def test_children_reuse_freed_heap_memory_without_new_page_faults() -> None:
    # A 30 MiB temporary freed and allocated again stays on the heap, already faulted in; with
    # glibc's defaults it goes back to the kernel and comes back as fresh pages (500 faults with
    # transparent huge pages, 7,680 without).
    faults, _ = _selftest("refault", arg="30").split(" faults, ")
    assert int(faults) < 64


def _predict_in_worker(model: bytes, frame_dir: str) -> list[float]:
    return run_model(model, Path(frame_dir), "value", ()).tolist()


def test_works_from_a_process_forked_after_the_sandbox_started(world: World) -> None:
    want = run_model(world.regressor_bytes, world.holdout, "value", ())
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the forked child
        try:
            got = run_model(world.regressor_bytes, world.holdout, "value", ())
            os.write(write_end, b"same" if np.array_equal(got, want) else b"different")
        finally:
            spawner.shutdown()
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 16)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert answer == b"same"
    assert status == 0


def test_works_inside_a_billiard_prefork_worker(world: World) -> None:
    billiard = pytest.importorskip("billiard")
    want = run_model(world.regressor_bytes, world.holdout, "value", ())
    with billiard.Pool(processes=1) as pool:
        got = pool.apply(_predict_in_worker, (world.regressor_bytes, str(world.holdout)))
    assert np.array_equal(np.asarray(got), want)


def test_label_fast_path_gives_exactly_what_full_validation_gives() -> None:
    from scoring.safe_load import to_plain_array, validate_predictions
    from scoring.safe_load.canonical import _label_codes

    classes = ("<=50K", ">50K")
    rng = np.random.default_rng(0)
    for raw in (
        rng.choice(np.array(classes, dtype=object), 1000),
        rng.choice(np.array(classes), 1000),
        rng.integers(0, 2, 1000),
        rng.integers(0, 2, 1000).astype(bool),
    ):
        schema_classes = (
            classes if raw.dtype.kind in "OU" else (("False", "True") if raw.dtype == bool else ("0", "1"))
        )
        full = validate_predictions(
            to_plain_array(raw), output="label", n_rows=1000, classes=schema_classes, model_classes=None
        )
        fast = _label_codes(raw, 1000, schema_classes)
        assert fast is not None and np.array_equal(fast, full)
    with_none = np.array(["<=50K", None, ">50K"], dtype=object)
    assert _label_codes(with_none, 3, classes) is None
    assert _label_codes(np.array(["<=50K", "<=50k", ">50K"]), 3, classes) is None  # case matters
    many = tuple(f"class {i}" for i in range(12))  # more classes than the comparison path takes
    raw = rng.choice(np.array(many), 1000)
    full = validate_predictions(raw, output="label", n_rows=1000, classes=many, model_classes=None)
    fast = _label_codes(raw, 1000, many)
    assert fast is not None and np.array_equal(fast, full)


def test_a_refusal_shown_to_the_participant_is_worded_by_a_child_without_the_hidden_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that had the hidden rows mapped (and, say, gained code execution) cannot spell them into
    an invalid_model message: the parent asks a frameless child, and falls back to a fixed text."""
    from scoring.sandbox import runner

    real_execute = runner._execute
    calls: list[dict[str, Any]] = []

    def compromised(header: dict[str, Any], blobs: list[Any], limits: Limits) -> Any:
        calls.append(header)
        if header["mode"] == "pair":
            raise EngineError(Reason.INVALID_MODEL, "age=37 sex=Female race=White")
        return real_execute(header, blobs, limits)

    monkeypatch.setattr(runner, "_execute", compromised)
    error = expect(Reason.INVALID_MODEL, PairJob(world.classifier_bytes, "label", CLASSES, all_rows(world)))
    assert error.message == runner.NOT_FROM_THE_FILE
    assert [c["mode"] for c in calls] == ["pair", "load"] and calls[1]["splits"] == []


def test_a_file_that_does_not_load_keeps_its_own_explanation(world: World) -> None:
    from scoring.sandbox import runner

    error = expect(Reason.INVALID_MODEL, PairJob(b"not a model at all", "label", CLASSES, all_rows(world)))
    assert error.message != runner.NOT_FROM_THE_FILE and "model" in error.message.lower()


def test_a_group_model_with_three_classes_is_explained_from_the_file(world: World) -> None:
    train = SCHEMA.coerce(make_frame(300, 7))
    three = fit(one_hot(LogisticRegression()), train, np.array(["a", "b", "c"] * 100))
    job = PairJob(
        world.classifier_bytes, "label", CLASSES, {"holdout": SplitJob(world.holdout)}, group_model=three
    )
    error = expect(Reason.INVALID_MODEL, job)
    assert "exactly two classes" in error.message
