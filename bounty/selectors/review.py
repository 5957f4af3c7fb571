"""Reads for the organizer pages: the approval queue, decisions with their figures and standings, the
versions to roll back to, the teams and the organizer actions taken."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bounty.models import (
    AuditEvent,
    Competition,
    Disqualification,
    ModelVersion,
    Submission,
    Team,
    UpdateStanding,
)
from bounty.selectors.outcomes import counting_updates, standing_of, undone_updates


@dataclass(frozen=True)
class Decided:
    submission: Submission
    standing: UpdateStanding | None


@dataclass(frozen=True)
class TeamRow:
    team: Team
    disqualification: Disqualification | None
    counting: int  # accepted updates in the current model
    undone: int  # accepted updates an organizer action took out of it


def awaiting_approval(*, competition: Competition) -> list[Submission]:
    return list(
        competition.submissions.filter(status=Submission.Status.AWAITING_APPROVAL)
        .select_related("team", "author")
        .order_by("seq")
    )


def decisions_for_review(*, competition: Competition, limit: int = 200) -> list[Decided]:
    """The latest decided submissions with the organizer-only figures and their standing."""
    decided = (
        competition.submissions.exclude(status__in=Submission.PENDING)
        .select_related("team", "author", "standing", "competition")
        .order_by("-seq")[:limit]
    )
    return [Decided(s, standing_of(s)) for s in decided]


def versions_newest_first(*, competition: Competition) -> list[ModelVersion]:
    return list(competition.versions.select_related("submission").order_by("-number"))


def team_rows(*, competition: Competition) -> list[TeamRow]:
    dq = {d.team_id: d for d in Disqualification.objects.filter(competition=competition)}
    counting = Counter(counting_updates(competition).values_list("team_id", flat=True))
    undone = Counter(undone_updates(competition).values_list("team_id", flat=True))
    return [
        TeamRow(t, dq.get(t.pk), counting[t.pk], undone[t.pk]) for t in competition.teams.order_by("name")
    ]


def organizer_actions(*, competition: Competition, limit: int = 30) -> list[AuditEvent]:
    """Audit events with a person behind them (approvals, rollbacks, disqualifications, exports...)."""
    return list(
        AuditEvent.objects.filter(competition=competition, actor__isnull=False)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
