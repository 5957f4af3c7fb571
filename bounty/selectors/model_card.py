"""What a competition's model card shows: the accepted groups in plain words, their standing and
confirmation, and the known limits of the model and of its figures."""

from __future__ import annotations

from dataclasses import dataclass

from bounty.engine_adapter import group_describe, group_text_of
from bounty.models import Competition, ModelVersion, Submission
from bounty.selectors.outcomes import standing_of, submission_outcome
from bounty.selectors.reports import min_group_size
from bounty.selectors.rules import competition_rules
from bounty.wizard.preflight import preflight
from scoring.report import Report


@dataclass(frozen=True)
class AcceptedGroup:
    submission: int  # the submission's number (its id, as in its address)
    team: str
    words: str
    text: str
    version: int | None
    public_gain: float | None
    counts: bool
    dropped: str
    confirmed: bool | None
    confirmed_gain: float | None  # organizers only


def accepted_groups(*, competition: Competition, organizer: bool) -> list[AcceptedGroup]:
    """Every accepted group, in arrival order, with its standing (when organizer actions have run)."""
    accepted = (
        Submission.objects.filter(
            competition=competition, status=Submission.Status.ACCEPTED, kind=Submission.Kind.PAIR
        )
        .select_related("team", "standing", "competition")
        .order_by("seq")
    )
    versions = {
        v.submission_id: v.number
        for v in ModelVersion.objects.filter(competition=competition, kind=ModelVersion.Kind.UPDATE)
    }
    out = []
    for s in accepted:
        standing, outcome = standing_of(s), submission_outcome(s)
        gain = getattr(standing, "confirmed_gain", None)
        out.append(
            AcceptedGroup(
                submission=s.pk,
                team=s.team.name,
                words=group_describe(s.group_tree),
                text=group_text_of(s.group_tree) if s.group_tree else "",
                version=standing.version if standing is not None and standing.counts else versions.get(s.pk),
                public_gain=s.public_gain,
                counts=outcome.counts,
                dropped=outcome.undone_words,
                confirmed=getattr(standing, "confirmed", None),
                confirmed_gain=round(gain, 3) if organizer and gain is not None else None,
            )
        )
    return out


def known_limits(
    *, competition: Competition, report: Report | None, groups: list[AcceptedGroup]
) -> list[str]:
    rows = (competition.data_card or {}).get("rows", {}) if isinstance(competition.data_card, dict) else {}
    holdout = int(rows.get("holdout", 0) or 0)
    limits = [
        f"Figures are computed on the hidden holdout split ({holdout:,} rows) and rounded down to a step "
        "chosen so that none pins an error count closer than the competition's publish_k; "
        f"groups with fewer than {min_group_size()} rows are never shown.",
        "The model was trained and checked on the competition's data only; people unlike those rows "
        "(other places, times or populations) may be served differently.",
    ]
    attributes = report.attributes() if report else []
    if attributes:
        limits.append(
            f"Metrics are broken down by {', '.join(attributes)} only, one attribute at a time; "
            "intersections and other attributes are not covered."
        )
    else:
        limits.append("No attribute breakdown is available for this model.")
    if any(not g.text for g in groups):
        limits.append("Some accepted groups are defined by classifiers; their words are not available.")
    if not any(g.confirmed is not None for g in groups):
        limits.append("The accepted updates have not been checked on the confirmation split yet.")
    if holdout and competition.teams.exists():
        rules = competition_rules(competition=competition)
        check = preflight(
            holdout_rows=holdout,
            alpha=rules.alpha,
            mu_min=rules.mu_min,
            z=rules.z,
            budget=competition.teams.count() * competition.total_quota,
        )
        if not check.enough:
            limits.append(
                f"With alpha = {rules.alpha}, z = {rules.z} and {check.budget:,} possible submissions, "
                f"about {check.expected_false_accepts:.2g} accepted updates are expected by luck alone "
                "(gains the holdout's noise shows that new data would not): read small accepted gains "
                "with care, and see their confirmation."
            )
    return limits
