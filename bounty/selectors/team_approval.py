"""Teams waiting for an organizer's approval (competitions with ``team_approval`` on)."""

from __future__ import annotations

from bounty.models import Competition, Team


def teams_awaiting_approval(*, competition: Competition) -> list[Team]:
    """Not yet approved and not disqualified, oldest first, with their members."""
    return list(
        competition.teams.filter(approved_at__isnull=True, disqualification__isnull=True)
        .prefetch_related("memberships__user")
        .order_by("created_at", "pk")
    )
