"""Team approval over the API: ``POST /api/v1/organize/competitions/<slug>/teams/<team_id>/approve``.

With ``team_approval`` on (the console's "Teams awaiting approval"), a team may submit only once an
organizer approved it. The competition's organizers and staff only, with the console's refusals."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.organizer import ActionResultSerializer, OrganizerCompetitionSerializer
from bounty.api.views.organizer import TAGS, organized_competition
from bounty.errors import DomainError
from bounty.models import Team
from bounty.services.team_approval import team_approve


class ApprovedTeamSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name", "approved_at"]
        read_only_fields = fields


class TeamApproveResultSerializer(ActionResultSerializer):
    team = ApprovedTeamSerializer(help_text="The team, now approved.")


class TeamApproveView(APIView):
    @extend_schema(
        operation_id="organize_approve_team",
        summary="Approve a team",
        description=(
            "In a competition with team approval on, a team can submit only once approved (until then "
            "its submissions are refused with 403 `team_not_approved`). Recorded in the audit log. "
            "409 `already_approved` the second time."
        ),
        tags=TAGS,
        request=None,
        responses={200: TeamApproveResultSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, slug: str, team_id: int) -> Response:
        user, competition = organized_competition(request, slug)
        team = competition.teams.filter(pk=team_id).first()
        if team is None:
            raise DomainError("not_found", "There is no such team in this competition.")
        done = team_approve(competition=competition, team=team, actor=user)
        competition.refresh_from_db()
        body: dict[str, Any] = {
            "message": f"{done.name} is approved and can submit.",
            "competition": OrganizerCompetitionSerializer(competition).data,
            "team": ApprovedTeamSerializer(done).data,
        }
        return Response(body)
