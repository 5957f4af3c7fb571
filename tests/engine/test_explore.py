"""Slice discovery (``scoring.explore``): its tables, its top slices and their figures, each checked
against an independent replay (the group language's own evaluation, Fairlearn, brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import groups
from scoring.bins import levels
from scoring.explore import Scoring, explore
from scoring.schema import Column, Kind, Schema, Task

pytestmark = pytest.mark.engine

SCHEMA = Schema(
    columns=(
        Column("age", Kind.NUMERIC),
        Column("member", Kind.BOOLEAN),
        Column("sex", Kind.CATEGORICAL, ("Female", "Male")),
        Column("region", Kind.CATEGORICAL, ("NA", "north", "south", "east")),  # "NA" is a category
    ),
    target="y",
    task=Task.BINARY,
    classes=("no", "yes"),
)


def frame_and_loss(rows: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = np.round(rng.uniform(17, 90, rows))
    age[rng.random(rows) < 0.05] = np.nan
    member = (rng.random(rows) < 0.4).astype(np.float64)
    member[rng.random(rows) < 0.03] = np.nan
    sex = pd.Categorical(rng.choice(["Female", "Male", None], rows, p=[0.48, 0.48, 0.04]), ["Female", "Male"])
    region = pd.Categorical(
        rng.choice(["NA", "north", "south", "east"], rows), ["NA", "north", "south", "east"]
    )
    frame = pd.DataFrame({"age": age, "member": member, "sex": sex, "region": region})
    rate = np.where((frame["sex"] == "Female") & (frame["region"] == "NA"), 0.55, 0.1)
    return frame, (rng.random(rows) < rate).astype(np.float64)


def test_finds_the_planted_slice_first_in_the_group_language_and_in_words() -> None:
    frame, loss = frame_and_loss()
    best = explore(frame, SCHEMA, loss)["slices"][0]
    assert best["text"] == 'sex == "Female" and region == "NA"'
    assert best["words"] == "sex is Female and region is NA"
    assert best["levels"] == [("sex", "Female"), ("region", "NA")]
    assert best["low"] < best["loss"] < best["high"]
    assert best["gap"] > 0.3


def test_every_slice_has_the_rows_and_loss_its_group_selects() -> None:
    frame, loss = frame_and_loss()
    landscape = explore(frame, SCHEMA, loss, scoring=Scoring(alpha=1.0), top_k=20)
    assert len(landscape["slices"]) == 20
    for item in landscape["slices"]:
        mask = groups.evaluate(groups.validate_tree(item["tree"], SCHEMA), frame, SCHEMA)
        assert groups.parse_text(item["text"], SCHEMA) == groups.validate_tree(item["tree"], SCHEMA)
        assert item["rows"] == mask.sum()
        assert item["loss"] == pytest.approx(loss[mask].mean(), abs=1e-4)
        assert item["gap"] == pytest.approx(loss[mask].mean() - loss[~mask].mean(), abs=1e-4)


def test_level_losses_agree_with_fairlearn_metricframe() -> None:
    frame, loss = frame_and_loss()
    landscape = explore(frame, SCHEMA, loss)
    y_true = np.zeros(len(loss))
    for column in landscape["columns"]:
        codes, found = levels(
            frame[column["name"]], SCHEMA.column(column["name"]), landscape["cuts"].get(column["name"], ())
        )
        names = np.array([level.name for level in found])[codes]
        by_group = MetricFrame(
            metrics=lambda t, p: float(np.mean(p != t)), y_true=y_true, y_pred=loss, sensitive_features=names
        ).by_group
        for level in column["levels"]:
            if level["rows"]:
                assert level["loss"] == pytest.approx(by_group[level["name"]], abs=1e-4)
            else:
                assert level["name"] not in by_group.index


def test_pair_tables_count_every_row_once_and_match_the_levels() -> None:
    frame, loss = frame_and_loss()
    landscape = explore(frame, SCHEMA, loss)
    for pair in landscape["pairs"]:
        rows = np.array(pair["rows"])
        assert rows.sum() == len(frame)
        a, b = (landscape["columns"][i]["levels"] for i in pair["columns"])
        assert rows.sum(axis=1).tolist() == [level["rows"] for level in a]
        assert rows.sum(axis=0).tolist() == [level["rows"] for level in b]


def test_numeric_bins_are_cut_at_round_numbers_and_missing_is_a_level() -> None:
    frame, loss = frame_and_loss()
    landscape = explore(frame, SCHEMA, loss)
    age = landscape["columns"][0]
    assert all(float(cut).is_integer() for cut in landscape["cuts"]["age"])
    assert age["levels"][0]["name"].startswith("below ")
    assert age["levels"][-1] == {
        "name": "missing",
        "text": "age is null",
        "rows": int(frame["age"].isna().sum()),
        "loss": pytest.approx(loss[frame["age"].isna().to_numpy()].mean(), abs=1e-4),
    }


def test_never_returns_a_slice_below_the_minimum_rows() -> None:
    frame, loss = frame_and_loss(rows=600)
    landscape = explore(frame, SCHEMA, loss, scoring=Scoring(alpha=1.0, min_rows=50), top_k=50)
    assert landscape["slices"]
    assert min(item["rows"] for item in landscape["slices"]) >= 50


def test_a_pair_that_scores_no_better_than_one_of_its_levels_is_left_out() -> None:
    frame, loss = frame_and_loss()
    frame["member"] = np.where(frame["sex"] == "Female", 1.0, 0.0)  # member == true is sex == Female
    frame.loc[frame["sex"].isna(), "member"] = np.nan
    texts = [item["text"] for item in explore(frame, SCHEMA, loss, top_k=50)["slices"]]
    assert 'member == true and sex == "Female"' not in texts  # the same rows as sex == "Female"
    assert all("member == false" not in text for text in texts if "region" in text)


def test_a_continuous_loss_gets_a_normal_confidence_interval() -> None:
    frame, binary = frame_and_loss()
    loss = np.clip(binary * 0.8 + np.random.default_rng(1).uniform(0, 0.2, len(binary)), 0, 1)
    best = explore(frame, SCHEMA, loss)["slices"][0]
    mask = groups.evaluate(groups.validate_tree(best["tree"], SCHEMA), frame, SCHEMA)
    half = 1.959963984540054 * loss[mask].std(ddof=1) / np.sqrt(mask.sum())
    assert best["low"] == pytest.approx(loss[mask].mean() - half, abs=1e-4)
    assert best["high"] == pytest.approx(loss[mask].mean() + half, abs=1e-4)


def test_the_same_input_gives_the_same_answer_including_ties() -> None:
    frame, _ = frame_and_loss(rows=1000)
    loss = (frame["region"] == "NA").to_numpy(dtype=np.float64)  # many slices tie
    assert explore(frame, SCHEMA, loss, top_k=15) == explore(frame.copy(), SCHEMA, loss.copy(), top_k=15)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), alpha=st.sampled_from([0.6, 0.9, 0.99, 1.0]), min_rows=st.integers(1, 40))
def test_top_slices_are_the_brute_force_top_slices(seed: int, alpha: float, min_rows: int) -> None:
    frame, loss = frame_and_loss(rows=300, seed=seed)
    scoring = Scoring(alpha=alpha, min_rows=min_rows)
    landscape = explore(frame, SCHEMA, loss, scoring=scoring, top_k=8)
    expected = brute_force(frame, loss, landscape["cuts"], scoring)
    got = [round(item["score"], 4) for item in landscape["slices"]]
    assert got == [round(score, 4) for score, _ in expected[:8]]
    ranked = dict((text, score) for score, text in expected)
    for item in landscape["slices"]:
        assert round(ranked[item["text"]], 4) == round(item["score"], 4)


def brute_force(
    frame: pd.DataFrame, loss: np.ndarray, cuts: dict[str, list[float]], scoring: Scoring
) -> list[tuple[float, str]]:
    """Every one- and two-level slice's score, by evaluating its group text on every row."""
    singles = []
    for column in SCHEMA.columns:
        _, found = levels(frame[column.name], column, cuts.get(column.name, ()))
        singles += [level for level in found]
    mask_of = {
        id(level): groups.evaluate(groups.validate_tree(level.tree, SCHEMA), frame, SCHEMA)
        for level in singles
    }
    out = []
    candidates = [(level,) for level in singles]
    candidates += [pair for pair in itertools.combinations(singles, 2) if pair[0].column != pair[1].column]
    for combo in candidates:
        score = brute_score(np.logical_and.reduce([mask_of[id(level)] for level in combo]), loss, scoring)
        if len(combo) == 2 and score <= max(
            brute_score(mask_of[id(level)], loss, scoring) for level in combo
        ):
            continue
        if score > 0:
            parts = [groups.to_text(level.tree) for level in combo]
            out.append((float(score), " and ".join(parts)))
    return sorted(out, key=lambda item: -item[0])


def brute_score(mask: np.ndarray, loss: np.ndarray, scoring: Scoring) -> float:
    rows, n, mean = int(mask.sum()), len(loss), loss.mean()
    if rows < scoring.min_rows or mean == 0:
        return -np.inf
    return float(scoring.alpha * (loss[mask].mean() / mean - 1) - (1 - scoring.alpha) * (n / rows - 1))
