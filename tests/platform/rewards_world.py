"""Helpers for the reward tests: a program, findings through the real lifecycle, and an independent
recomputation of what the ledger should hold from the engine's head and the published findings."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from bounty.engine_adapter import competition_store
from bounty.lifecycle.rewards import program_set
from bounty.lifecycle.submit import finding_create
from bounty.models import Competition, Disqualification, Finding, RewardProgram, Submission
from scoring.engine import findings as engine_findings
from scoring.engine import organize
from scoring.publish import published_step

# The weak base predicts nearly everyone below 50K: the married, who earn more, are its worst group.
FINDING_TEXT = 'marital_status in ["Married-civ-spouse"]'
TIERS = [
    {"name": "Moderate", "min_gap": 0.05, "amount": "100.00"},
    {"name": "Severe", "min_gap": 0.2, "amount": "400.00"},
]


def a_program(competition: Competition, organizer: User, *, pool: str = "5000.00") -> RewardProgram:
    return program_set(
        competition=competition,
        actor=organizer,
        currency="eur",
        pool=pool,
        update_rate="250.00",
        update_floor="50.00",
        update_cap="1500.00",
        tiers=TIERS,
        payout_date=(timezone.now() + timedelta(days=60)).date(),
        known_rewarded=True,
        scope="The model's decisions on the census table.",
        disclosure="Publish a finding once it is fixed, or 90 days after it is accepted.",
    )


def find(competition: Competition, user: User, text: str = FINDING_TEXT) -> Submission:
    return finding_create(competition=competition, user=user, group_text=text)


def expected_balances(competition: Competition, program: RewardProgram) -> dict[int, Decimal]:
    """Each team's committed balance recomputed from scratch: the engine's counting updates at the head
    (their public gains, rounded here from the store's figures) and the findings of teams still in."""
    competition.refresh_from_db()
    store = competition_store(competition)
    counting = organize.counting_labels(store, head=competition.head_version)
    rows = competition.data_card["rows"]["holdout"]
    step = published_step(rows, store.settings.rules.publish_k)
    out_teams = set(
        Disqualification.objects.filter(competition=competition).values_list("team_id", flat=True)
    )
    totals: dict[int, Decimal] = {}
    for label in counting:
        submission = Submission.objects.get(pk=int(label))
        gain = Decimal(str(submission.figures["gain"]))
        points = (gain / Decimal(str(step))).to_integral_value(rounding=ROUND_DOWN) * Decimal(str(step)) * 100
        award = (program.update_rate * points).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        award = min(program.update_cap, max(program.update_floor, award))
        totals[submission.team_id] = totals.get(submission.team_id, Decimal(0)) + award
    for finding in Finding.objects.filter(competition=competition).select_related("submission"):
        team = finding.submission.team_id
        holdout = engine_findings.mask(store, str(finding.submission_id), "holdout")
        gap = engine_findings.gap(store, holdout, head=finding.version).figures.gap
        published = (
            float((Decimal(repr(gap)) / Decimal(str(step))).to_integral_value(rounding=ROUND_DOWN)) * step
        )
        reached = [t for t in TIERS if published >= t["min_gap"] - 1e-12]
        if team not in out_teams and reached and (program.known_rewarded or not finding.known):
            totals[team] = totals.get(team, Decimal(0)) + Decimal(reached[-1]["amount"])
    return {team: total for team, total in totals.items() if total}


def later(days: int) -> date:
    return (timezone.now() + timedelta(days=days)).date()
