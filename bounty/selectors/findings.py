"""Published findings: what anyone may read of an accepted finding (the group in words, its gap at the
published step, its severity tier under the reward program, whether an Explore slice already listed it)
and of the pair that fixed it (its number and team, the version, the gap after, whether the fix still
counts)."""

from __future__ import annotations

from dataclasses import dataclass

from bounty.engine_adapter import group_describe
from bounty.models import Competition, Finding, Submission
from bounty.selectors.outcomes import submission_outcome
from bounty.selectors.published import Step, competition_step
from bounty.selectors.rewards import competition_program, finding_tier


@dataclass(frozen=True)
class PublishedFinding:
    submission: int  # the submission's number, as in its address
    seq: int
    team: str
    team_id: int
    group: str  # in plain words
    group_text: str  # in the group language
    version: int  # the version it was checked against
    gap: float  # published: rounded down to the step
    tier: str  # "" below every tier, or with no program
    known: bool
    known_slice: str
    fixed_by: int | None  # the fixing submission's number
    fixed_by_team: str
    fixed_version: int | None
    gap_after: float | None
    fix_counts: bool | None  # whether the fix is still part of the model (None: not fixed)


def _published(finding: Finding, step: Step, tier: str) -> PublishedFinding:
    submission, fix = finding.submission, finding.fixed_by
    return PublishedFinding(
        submission=submission.pk,
        seq=submission.seq,
        team=submission.team.name,
        team_id=submission.team_id,
        group=group_describe(submission.group_tree),
        group_text=submission.group_text,
        version=finding.version,
        gap=step.value(finding.public_gap) or 0.0,
        tier=tier,
        known=finding.known,
        known_slice=finding.known_slice,
        fixed_by=fix.pk if fix is not None else None,
        fixed_by_team=fix.team.name if fix is not None else "",
        fixed_version=finding.fixed_version,
        gap_after=step.value(finding.gap_after),
        fix_counts=submission_outcome(fix).counts if fix is not None else None,
    )


def published_findings(*, competition: Competition) -> list[PublishedFinding]:
    """Every accepted finding of the competition, in arrival order."""
    step, program = competition_step(competition), competition_program(competition)
    findings = (
        Finding.objects.filter(competition=competition)
        .select_related("submission__team", "fixed_by__team", "fixed_by__standing", "fixed_by__competition")
        .order_by("submission__seq")
    )
    out = []
    for finding in findings:
        tier = finding_tier(program, finding.public_gap)
        out.append(_published(finding, step, tier.name if tier else ""))
    return out


def finding_of(submission: Submission) -> PublishedFinding | None:
    """The published finding of an accepted finding submission (None for anything else)."""
    finding = (
        Finding.objects.filter(submission=submission)
        .select_related("submission__team", "fixed_by__team", "fixed_by__standing", "fixed_by__competition")
        .first()
    )
    if finding is None:
        return None
    tier = finding_tier(competition_program(submission.competition), finding.public_gap)
    return _published(finding, competition_step(submission.competition), tier.name if tier else "")
