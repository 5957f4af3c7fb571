"""Fitting without code: each family of the menu fits a model the safe loader takes, its estimate is
the check ``bounty check`` computes on the held-out rows, and bad choices are refused with the menu."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from bounty_client.local import check_locally

from benchmarks.census import SCHEMA, census_frame
from benchmarks.engine import base_model
from scoring import groups
from scoring.check import Rules
from scoring.errors import EngineError, Reason
from scoring.fitting import ESTIMATE_SHARE, FAMILIES, fit_for_group
from scoring.formats import load_model
from scoring.losses import get_loss
from scoring.safe_load.canonical import predict

pytestmark = pytest.mark.engine
RULES = Rules(alpha=0.002, mu_min=0.01)
GROUP = 'marital_status == "Married"'
LOSS = get_loss("zero_one", SCHEMA)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return census_frame(6000, 0)


@pytest.fixture(scope="module")
def common(raw: pd.DataFrame) -> dict[str, Any]:
    frame = SCHEMA.coerce(raw)
    base = load_model(base_model(raw))
    everyone = np.ones(len(frame), dtype=bool)
    return {
        "frame": frame,
        "labels": SCHEMA.encode_target(raw["income"]),
        "base_predictions": predict(base, frame, everyone, "label", SCHEMA.classes),
        "schema": SCHEMA,
        "loss": LOSS,
        "rules": RULES,
    }


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_family_fits_a_model_the_safe_loader_takes(family: str, common: dict[str, Any]) -> None:
    fitted = fit_for_group(**common, tree=groups.parse_text(GROUP, SCHEMA), family=family)
    frame = common["frame"]
    everyone = np.ones(len(frame), dtype=bool)
    assert predict(load_model(fitted.model), frame, everyone, "label", SCHEMA.classes).shape == (len(frame),)
    assert 0 < fitted.fit_rows < (frame["marital_status"] == "Married").sum()
    assert fitted.estimate_rows == pytest.approx(ESTIMATE_SHARE * len(frame), rel=0.1)


def test_the_estimate_is_what_bounty_check_says_on_the_held_out_rows(
    common: dict[str, Any], raw: pd.DataFrame
) -> None:
    tree = groups.parse_text(GROUP, SCHEMA)
    fitted = fit_for_group(**common, tree=tree, family="decision_tree", choice="shallow", seed=3)
    held_out = np.random.default_rng(3).random(len(raw)) < ESTIMATE_SHARE
    replay = check_locally(
        raw[held_out].reset_index(drop=True), SCHEMA, RULES, "zero_one", common["base_predictions"][held_out],
        GROUP, fitted.estimate_model,
    )  # fmt: skip
    assert replay.figures == pytest.approx(fitted.decision.figures)
    assert replay.accepted == fitted.decision.accepted and replay.reason == fitted.decision.reason.value


def test_refuses_an_unknown_family_or_setting_with_the_menu(common: dict[str, Any]) -> None:
    tree = groups.parse_text(GROUP, SCHEMA)
    with pytest.raises(
        EngineError, match="choose one of logistic_regression, decision_tree, gradient_boosting"
    ):
        fit_for_group(**common, tree=tree, family="svm")
    with pytest.raises(EngineError, match="depth must be one of shallow, medium, deep"):
        fit_for_group(**common, tree=tree, family="decision_tree", choice="huge")


def test_refuses_a_group_with_too_few_rows(common: dict[str, Any]) -> None:
    with pytest.raises(EngineError) as tiny:
        fit_for_group(**common, tree=groups.parse_text("age > 89.5", SCHEMA), family="decision_tree")
    assert tiny.value.reason is Reason.GROUP_TOO_SMALL and "at least 20" in tiny.value.message
