"""The pre-flight's advice on a draft's rules, from the organizer's own data (``scoring.preflight``).

``draft_spread_measure`` runs the draft's base model in the sandbox on a sample of the train split and
estimates how widely real pairs' per-row gains spread (cross-fitted candidate models on candidate
groups); the estimate is kept in the draft (``state["spread"][<loss>]``). ``draft_rule_advice`` turns
it, the holdout's size and the budget (expected teams x total quota) into what the organizer sees: the
gain a fix must show to be accepted 8 times in 10, the lucky accepts a no-signal attacker buys, and the
suggested alpha and z. See ``docs/preflight.md``.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bounty.models import CompetitionDraft
from bounty.storage import draft_folder
from bounty.wizard.prepare import read_split_sample
from scoring.check import DEFAULT_BETA
from scoring.frames import write_frame
from scoring.losses import get_loss
from scoring.preflight import Report, Spread, assess, gain_spread
from scoring.preflight_findings import FindingReport, assess_findings
from scoring.publish import DEFAULT_PUBLISH_K, published_step
from scoring.sandbox import Limits, run_model
from scoring.schema import Schema

SAMPLE_ROWS = 50_000
DEFAULTS = {"alpha": 0.01, "mu_min": 0.02, "expected_teams": 20, "total_quota": 100}


def default_loss(schema: Schema) -> str:
    return "zero_one" if schema.task.is_classification else "squared"


def draft_spread_measure(
    *, draft: CompetitionDraft, schema: Schema, loss: str, loss_params: dict[str, Any]
) -> None:
    """Estimate the gain spread for ``loss`` from the base model's losses on the train split."""
    bound = get_loss(loss, schema, loss_params)
    train, _ = read_split_sample(draft_folder(draft.pk) / "splits", "train", limit=SAMPLE_ROWS)
    with tempfile.TemporaryDirectory(prefix="spread-") as folder:
        write_frame(train, schema, Path(folder) / "train")
        model = (draft_folder(draft.pk) / "base.skops").read_bytes()
        predictions = run_model(model, Path(folder) / "train", bound.output, schema.classes, Limits())
    y = schema.encode_target(train[schema.target])
    base_loss = bound.per_row(y, predictions)
    spread = gain_spread(
        schema.coerce(train),
        y,
        base_loss,
        bound,
        mu_min=float((draft.state.get("rules") or {}).get("mu_min", DEFAULTS["mu_min"])),
        classes=len(schema.classes),
    )
    stored = dict(draft.state.get("spread") or {})
    stored[loss] = asdict(spread)
    draft.state = {**draft.state, "spread": stored}
    draft.save(update_fields=["state", "updated_at"])


def stored_spread(draft: CompetitionDraft, loss: str) -> Spread | None:
    data = (draft.state.get("spread") or {}).get(loss)
    if not data:
        return None
    return Spread(**{**data, "groups": tuple(tuple(g) for g in data.get("groups", ()))})


def draft_rule_advice(*, draft: CompetitionDraft, schema: Schema, rules: dict[str, Any]) -> dict[str, Any]:
    """The suggested alpha, mu_min and z and the full report for ``rules`` (defaults where blank)."""
    loss = str(rules.get("loss") or default_loss(schema))
    holdout = int((draft.state.get("split_rows") or {}).get("holdout", 0))
    mu_min = float(rules.get("mu_min") or DEFAULTS["mu_min"])
    budget = int(rules.get("expected_teams") or DEFAULTS["expected_teams"]) * int(
        rules.get("total_quota") or DEFAULTS["total_quota"]
    )
    z = float(rules["z"]) if rules.get("z") is not None else 0.0
    report: Report = assess(
        holdout_rows=max(holdout, 2),
        alpha=float(rules.get("alpha") or DEFAULTS["alpha"]),
        mu_min=mu_min,
        z=z,
        budget=max(budget, 1),
        spread=stored_spread(draft, loss),
    )
    best = report.suggested
    return {
        "alpha": best.alpha,
        "mu_min": best.mu_min,
        "z": best.z,
        "report": report,
        "findings": draft_finding_advice(draft=draft, rules=rules),
        "loss": loss,
        "publication": draft_publication(draft=draft, rules=rules),
    }


def draft_finding_advice(*, draft: CompetitionDraft, rules: dict[str, Any]) -> FindingReport:
    """The findings pre-flight (``scoring.preflight_findings``) for the draft's holdout and ``rules``."""
    holdout = int((draft.state.get("split_rows") or {}).get("holdout", 0))
    budget = int(rules.get("expected_teams") or DEFAULTS["expected_teams"]) * int(
        rules.get("total_quota") or DEFAULTS["total_quota"]
    )
    return assess_findings(
        holdout_rows=max(holdout, 2),
        beta=float(rules.get("beta") or DEFAULT_BETA),
        mu_min=float(rules.get("mu_min") or DEFAULTS["mu_min"]),
        z=float(rules["z"]) if rules.get("z") is not None else 0.0,
        budget=max(budget, 1),
    )


def draft_publication(*, draft: CompetitionDraft, rules: dict[str, Any]) -> dict[str, Any]:
    """``publication_advice`` for the draft's holdout and ``rules`` (defaults where blank)."""
    holdout = int((draft.state.get("split_rows") or {}).get("holdout", 0))
    alpha = float(rules.get("alpha") or DEFAULTS["alpha"])
    k = int(rules.get("publish_k") or DEFAULT_PUBLISH_K)
    return publication_advice(holdout_rows=max(holdout, 1), k=k, alpha=alpha)


def publication_advice(*, holdout_rows: int, k: int, alpha: float) -> dict[str, Any]:
    """The published step for ``k`` and whether it hides accepted gains (a gain under the step is
    published as 0), with the largest k whose step is alpha or finer."""
    step = published_step(holdout_rows, k)
    fitting = max(1, int(alpha * holdout_rows / 2))
    while fitting > 1 and published_step(holdout_rows, fitting) > alpha:
        fitting -= 1
    return {"k": k, "step": step, "hides_gains": step > alpha, "k_for_alpha": fitting}
