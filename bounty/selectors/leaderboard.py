from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Count, Q

from bounty.engine_adapter import group_describe
from bounty.models import Competition, Submission, Team
from bounty.selectors.outcomes import counting_updates


@dataclass(frozen=True)
class AcceptedUpdate:
    seq: int
    group: str
    public_gain: float


@dataclass
class LeaderboardRow:
    team: Team
    credit: float = 0.0
    gain: float = 0.0
    rejections: int = 0
    last_accepted_seq: int | None = None
    updates: list[AcceptedUpdate] = field(default_factory=list)
    rank: int = 0


def leaderboard(*, competition: Competition) -> list[LeaderboardRow]:
    """Teams ranked by credit: the sum of public gains of accepted updates as a share of the base
    model's holdout loss. Equal credit goes to the team that reached it with an earlier
    submission. Updates undone by an organizer (rollback, disqualification) earn nothing, disqualified
    teams are not ranked, and after the close only confirmed updates earn credit."""
    teams = competition.teams.filter(disqualification__isnull=True).annotate(
        rejections=Count("submissions", filter=Q(submissions__status=Submission.Status.REJECTED))
    )
    rows = {team.pk: LeaderboardRow(team=team, rejections=team.rejections) for team in teams}
    accepted = counting_updates(competition)  # not those a rollback or disqualification undid
    if competition.status == Competition.Status.CLOSED:
        accepted = accepted.filter(standing__confirmed=True)
    accepted = accepted.order_by("seq")
    for sub in accepted:
        row = rows.get(sub.team_id)
        if row is None:
            continue
        gain = sub.public_gain or 0.0
        row.gain += gain
        row.last_accepted_seq = sub.seq
        row.updates.append(AcceptedUpdate(sub.seq, group_describe(sub.group_tree), gain))
    base = competition.base_holdout_loss
    for row in rows.values():
        row.credit = row.gain / base if base and base > 0 else 0.0
    ranked = sorted(
        rows.values(),
        key=lambda r: (
            -r.credit,
            r.last_accepted_seq if r.last_accepted_seq is not None else math.inf,
            r.team.name.lower(),
        ),
    )
    for index, row in enumerate(ranked, start=1):
        row.rank = index
    return ranked
