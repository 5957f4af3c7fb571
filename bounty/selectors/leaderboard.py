from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from bounty.engine_adapter import group_describe
from bounty.models import Competition, Submission, Team
from bounty.selectors.findings import PublishedFinding, published_findings
from bounty.selectors.outcomes import counting_updates
from bounty.selectors.published import PublishedFigures, published_figures


@dataclass(frozen=True)
class AcceptedUpdate:
    seq: int
    group: str
    public_gain: float  # published: rounded down to the competition's step
    submission: int = 0  # the submission's number (its id, as in its address)


@dataclass
class LeaderboardRow:
    team: Team
    credit: float = 0.0  # percent of the published base loss (PERCENT_DIGITS decimals)
    gain: float = 0.0  # the sum of the published gains, itself a multiple of the step
    rejections: int = 0
    first_reached_seq: int | None = None  # the accepted submission that brought the credit to its level
    updates: list[AcceptedUpdate] = field(default_factory=list)
    findings: list[PublishedFinding] = field(default_factory=list)  # accepted findings, in arrival order
    rank: int = 0

    @property
    def last_accepted_seq(self) -> int | None:
        return self.updates[-1].seq if self.updates else None


def leaderboard(*, competition: Competition, figures: PublishedFigures | None = None) -> list[LeaderboardRow]:
    """Teams ranked by credit: the sum of the published gains of accepted updates, in percent of the
    published base loss (``bounty.selectors.published``). Equal credit goes to the team whose accepted
    submission reaching it arrived first; teams with no credit come after every team with some, in
    the order they were created. Updates undone by an organizer (rollback, disqualification) earn
    nothing, disqualified teams are not ranked, and after the close only confirmed updates earn credit."""
    figures = figures or published_figures(competition=competition)
    teams = competition.teams.filter(disqualification__isnull=True).annotate(
        rejections=Count(
            "submissions",
            filter=Q(submissions__status=Submission.Status.REJECTED, submissions__kind=Submission.Kind.PAIR),
        )
    )
    rows = {team.pk: LeaderboardRow(team=team, rejections=team.rejections) for team in teams}
    accepted = counting_updates(competition)  # not those a rollback or disqualification undid
    if competition.status == Competition.Status.CLOSED:
        accepted = accepted.filter(standing__confirmed=True)
    for sub in accepted.order_by("seq"):
        row = rows.get(sub.team_id)
        if row is None:
            continue
        gain = figures.gain(sub.public_gain) or 0.0
        row.gain = figures.gain(row.gain + gain) or 0.0  # stays an exact multiple of the step
        if gain > 0:
            row.first_reached_seq = sub.seq  # the credit reached its current level with this one
        row.updates.append(AcceptedUpdate(sub.seq, group_describe(sub.group_tree), gain, sub.pk))
    for finding in published_findings(competition=competition):
        found = rows.get(finding.team_id)  # a disqualified team's findings are not ranked either
        if found is not None:
            found.findings.append(finding)
    for row in rows.values():
        row.credit = figures.percent(row.gain) or 0.0
    ranked = sorted(rows.values(), key=_order)
    for index, row in enumerate(ranked, start=1):
        row.rank = index
    return ranked


def _order(row: LeaderboardRow) -> tuple[int, float, float, Any, int]:
    """Credited teams first, by credit (compared on the published gain, not its rounded percent), then
    by the arrival of the submission that reached it; then the rest, in the order the teams were
    created."""
    if row.gain > 0:
        return (0, -row.gain, float(row.first_reached_seq or 0), row.team.created_at, row.team.pk)
    return (1, 0.0, 0.0, row.team.created_at, row.team.pk)
