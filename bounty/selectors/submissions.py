from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bounty.errors import DomainError
from bounty.models import Competition, Submission, Team
from bounty.selectors.competitions import AnyUser, membership_get, user_is_organizer
from bounty.selectors.outcomes import submission_outcome

PUBLIC_STATUSES = (Submission.Status.ACCEPTED, Submission.Status.REJECTED)


def submission_list_for_team(*, team: Team) -> QuerySet[Submission]:
    """The team's submissions, newest first, with their standing (``bounty.selectors.outcomes``)."""
    return team.submissions.select_related("author", "standing", "competition").order_by("-seq")


def submission_list_for_organizer(*, competition: Competition) -> QuerySet[Submission]:
    return competition.submissions.select_related("team", "author", "standing", "competition").order_by(
        "-seq"
    )


def submission_public_decisions(*, competition: Competition, limit: int = 10) -> list[Submission]:
    return list(
        competition.submissions.filter(status__in=PUBLIC_STATUSES)
        .select_related("team", "standing", "competition")
        .order_by("-seq")[:limit]
    )


def submission_get_visible(*, submission_id: int, user: AnyUser) -> tuple[Submission, bool]:
    """The submission if the user may see it (team member or organizer), and whether the user may
    see the organizer-only figures."""
    submission = (
        Submission.objects.select_related("competition", "team", "author", "standing")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise DomainError("not_found", "There is no such submission.")
    organizer = user_is_organizer(competition=submission.competition, user=user)
    membership = membership_get(competition=submission.competition, user=user)
    if not organizer and (membership is None or membership.team_id != submission.team_id):
        raise DomainError("not_found", "There is no such submission.")
    return submission, organizer


def submission_status_data(*, submission: Submission, show_figures: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": submission.pk,
        "seq": submission.seq,
        "status": submission.status,
        "status_label": submission_outcome(submission).label,
        "reason": submission.reason,
        "message": submission.message,
        "pending": submission.is_pending,
        "public_gain": submission.public_gain,
        "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
    }
    if show_figures:
        data["figures"] = submission.figures
    return data
