"""The adaptive attack of ``test_attacks_adaptive`` aimed at findings: can feedback alone get a false
finding published?

The labels are fair coin flips, so the base model's loss is the same on every group: any accepted finding
is a false claim. The attacker spends the whole ``BUDGET`` on findings (they count against the same quota
as pairs), steered only by the reason category: a group refused with "gap too small" is split in halves
and both are tried; an accepted group is split again to exploit it.

With the settings the pre-flight suggests for the budget (its ``z``, the default ``beta``) nothing gets
through; with ``z = 0`` and a tiny ``beta`` many do, so the attack has teeth. Both numbers are written to
``test-artifacts/adaptive_attack_findings.json``. The engine is driven directly; the platform adds nothing
to what is decided.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pytest

from scoring.check import DEFAULT_BETA
from scoring.engine import Store
from scoring.engine import findings as engine
from scoring.errors import EngineError, Reason
from scoring.preflight import fallback_spread, suggest
from tests.platform.test_attacks_adaptive import (
    ALPHA,
    BUDGET,
    MU_MIN,
    REPO_DIR,
    ROWS,
    halves,
    make_store,
    random_group,
)

ARTIFACT = REPO_DIR / "test-artifacts" / "adaptive_attack_findings.json"


@dataclass(frozen=True)
class Outcome:
    z: float
    beta: float
    submissions: int
    accepted: int
    too_small: int  # refused for the mass rule
    largest_claimed_gap: float  # the largest holdout gap among the accepted (organizer-only)


def flatten(group: dict[str, Any]) -> dict[str, Any]:
    """``and`` of ``and``s as one ``and``: the halves of halves stay within the language's depth."""
    if group.get("op") != "and":
        return group
    args: list[dict[str, Any]] = []
    for arg in group["args"]:
        args += flatten(arg)["args"] if arg.get("op") == "and" else [arg]
    return {"op": "and", "args": args}


def attack(store: Store, *, budget: int = BUDGET, seed: int = 2) -> Outcome:
    """Submit ``budget`` findings, each chosen from the reasons of the earlier ones only."""
    rng = np.random.default_rng(seed)
    accepted, too_small, largest, spent = 0, 0, 0.0, 0
    follow_ups: list[dict[str, Any]] = []
    while spent < budget:
        group = follow_ups.pop() if follow_ups else random_group(rng)
        try:
            evaluation = engine.evaluate(store, group=group)
        except EngineError:  # refused at the door (too deep, too many conditions): no quota spent
            continue
        spent += 1
        decision = engine.check(store, evaluation, head=0)
        if decision.reason is Reason.ACCEPTED:
            accepted += 1
            largest = max(largest, decision.figures.gap)
        elif decision.reason is Reason.GROUP_TOO_SMALL:
            too_small += 1
        if decision.reason in (Reason.ACCEPTED, Reason.GAP_TOO_SMALL):
            follow_ups += [flatten(half) for half in halves(group, rng)]
    rules = store.settings.rules
    return Outcome(rules.z, rules.beta, budget, accepted, too_small, largest)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("adaptive-findings")
    suggested = suggest(ROWS, MU_MIN, BUDGET, fallback_spread(), alpha=ALPHA)
    found = {
        "suggested": attack(make_store(root / "suggested", z=suggested.z, beta=DEFAULT_BETA)),
        "no_margin": attack(make_store(root / "no-margin", z=0.0, beta=0.001)),
    }
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "labels": "fair coin flips, independent of the features",
        "holdout_rows": ROWS,
        "mu_min": MU_MIN,
        "budget": BUDGET,
        "suggested_z": suggested.z,
        "accepted_with_suggested": found["suggested"].accepted,
        "accepted_without_margin": found["no_margin"].accepted,
        "runs": {name: asdict(outcome) for name, outcome in found.items()},
    }
    ARTIFACT.write_text(json.dumps(report, indent=2) + "\n")
    return found


def test_the_suggested_settings_publish_no_false_finding_at_the_full_budget(
    outcomes: dict[str, Outcome],
) -> None:
    run = outcomes["suggested"]
    assert run.submissions == BUDGET and run.z > 3 and run.beta == DEFAULT_BETA
    assert run.accepted == 0


def test_without_the_margin_feedback_alone_gets_false_findings_published(
    outcomes: dict[str, Outcome],
) -> None:
    run = outcomes["no_margin"]
    assert run.accepted > BUDGET // 10  # the attack is not toothless: the margin is what stops it
    assert 0 < run.largest_claimed_gap < DEFAULT_BETA  # noise: no claimed gap reaches the default beta


def test_the_artifact_records_both_numbers(outcomes: dict[str, Outcome]) -> None:
    report = json.loads(ARTIFACT.read_text())
    assert report["accepted_with_suggested"] == outcomes["suggested"].accepted == 0
    assert report["accepted_without_margin"] == outcomes["no_margin"].accepted
