"""Findings: the gap check against a brute-force recomputation, and a store's findings kept, fixed and
matched against public slices."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.census import SCHEMA
from scoring import groups
from scoring.check import Rules
from scoring.engine import Store
from scoring.engine import findings as engine_findings
from scoring.engine.landscape import train_landscape
from scoring.errors import Reason
from scoring.finding import GapStats, covered, decide_finding, overlap
from tests.engine.test_engine_store import MARRIED, built, fit_on, store, train  # noqa: F401 (fixtures)

pytestmark = pytest.mark.engine


@settings(max_examples=200, deadline=None)
@given(
    losses=st.lists(st.floats(0, 1), min_size=4, max_size=60),
    bits=st.lists(st.booleans(), min_size=60, max_size=60),
    beta=st.floats(0.001, 0.5),
    z=st.floats(0, 4),
    mu_min=st.floats(0.01, 1),
)
def test_the_gap_check_equals_a_direct_recomputation(
    losses: list[float], bits: list[bool], beta: float, z: float, mu_min: float
) -> None:
    loss = np.array(losses)
    mask = np.array(bits[: len(losses)])
    rules = Rules(alpha=0.01, mu_min=mu_min, z=z, beta=beta)
    decision = decide_finding(GapStats.measure(mask, loss), rules)
    inside, rest = loss[mask], loss[~mask]
    if inside.size == 0 or inside.size / loss.size < mu_min:
        assert decision.reason is Reason.GROUP_TOO_SMALL and not decision.accepted
        return
    if rest.size == 0:
        assert decision.reason is Reason.GAP_TOO_SMALL
        return
    gap = inside.mean() - rest.mean()
    var_in = inside.var(ddof=1) if inside.size > 1 else 0.0
    var_out = rest.var(ddof=1) if rest.size > 1 else 0.0
    se = math.sqrt(var_in / inside.size + var_out / rest.size)
    assert decision.figures.gap == pytest.approx(gap, abs=1e-9)
    assert decision.figures.se == pytest.approx(se, abs=1e-6)
    margin = gap - z * se - beta
    if abs(margin) > 1e-6:
        assert decision.accepted is bool(margin >= 0)


def test_rules_refuse_a_beta_that_is_not_positive() -> None:
    for beta in (0.0, -0.1, float("nan")):
        with pytest.raises(Exception, match="beta > 0"):
            Rules(alpha=0.01, mu_min=0.01, beta=beta)


def test_overlap_and_cover_are_shares_of_rows() -> None:
    a = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    b = np.array([0, 1, 1, 1, 1, 0], dtype=bool)
    assert overlap(a, b) == pytest.approx(3 / 5) and covered(a, b) == pytest.approx(3 / 4)
    assert overlap(a, ~a) == 0 and covered(np.zeros(3, bool), a[:3]) == 0


def test_a_store_checks_a_finding_on_the_holdout_and_keeps_it(store: Store) -> None:  # noqa: F811
    tree = groups.parse_text(MARRIED, SCHEMA)
    evaluation = engine_findings.evaluate(store, group=tree)
    decision = engine_findings.check(store, evaluation, head=0)
    dl = store.decision_list(0)
    loss = dl.splits["holdout"].row_loss
    holdout = evaluation.masks["holdout"]
    assert decision.figures.gap == pytest.approx(loss[holdout].mean() - loss[~holdout].mean())
    assert evaluation.model == b"" and set(evaluation.masks) == {"train", "holdout", "confirmation"}
    engine_findings.keep(store, "7", evaluation)
    assert (engine_findings.mask(store, "7", "holdout") == holdout).all()
    assert (engine_findings.mask(store, "7", "train") == evaluation.masks["train"]).all()
    assert engine_findings.gap_now(store, "7", head=0) == decision.figures


def test_an_accepted_fix_of_the_group_links_and_narrows_the_gap(store: Store, train: pd.DataFrame) -> None:  # noqa: F811
    tree = groups.parse_text(MARRIED, SCHEMA)
    finding = engine_findings.evaluate(store, group=tree)
    engine_findings.keep(store, "3", finding)
    before = engine_findings.gap_now(store, "3", head=0)
    pair = store.evaluate(group=tree, model=fit_on(train, MARRIED))
    decision, versions = store.commit(pair, label="4", head=0)
    assert decision.accepted
    assert engine_findings.fixed(store, pair.masks["holdout"], ["3"]) == ["3"]
    assert engine_findings.fixed(store, ~pair.masks["holdout"], ["3"]) == []
    after = engine_findings.gap_now(store, "3", head=versions[-1].number)
    assert after.loss_group < before.loss_group


def test_a_finding_equal_to_a_public_slice_is_known(store: Store) -> None:  # noqa: F811
    slices = [item["tree"] for item in train_landscape(store, head=0)["slices"]]
    first = groups.evaluate(groups.validate_tree(slices[0], SCHEMA), store.frame("train"), SCHEMA)
    assert engine_findings.known(store, first, slices) == 0
    assert engine_findings.known(store, np.zeros_like(first), slices) is None
