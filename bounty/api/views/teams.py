from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.teams import (
    TeamCreateInputSerializer,
    TeamJoinInputSerializer,
    TeamSerializer,
)
from bounty.api.views.base import logged_in_user, visible_competition
from bounty.errors import DomainError
from bounty.models import Team
from bounty.selectors.competitions import membership_get
from bounty.services.teams import team_create, team_join

TAGS = ["teams"]


def _team_response(team: Team, *, status_code: int = status.HTTP_200_OK) -> Response:
    team = Team.objects.select_related("competition").prefetch_related("memberships__user").get(pk=team.pk)
    return Response(TeamSerializer(team).data, status=status_code)


class TeamCreateView(APIView):
    @extend_schema(
        operation_id="teams_create",
        summary="Create a team",
        description=(
            "You become its first member; share its `invite_code` with the others. A signed-up account "
            "must confirm its email address first (403 `email_unconfirmed`)."
        ),
        tags=TAGS,
        request=TeamCreateInputSerializer,
        responses={201: TeamSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        payload = TeamCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        team = team_create(competition=competition, name=payload.validated_data["name"], user=user)
        return _team_response(team, status_code=status.HTTP_201_CREATED)


class TeamJoinView(APIView):
    @extend_schema(
        operation_id="teams_join",
        summary="Join a team by its invite code",
        description="A signed-up account must confirm its email address first (403 `email_unconfirmed`).",
        tags=TAGS,
        request=TeamJoinInputSerializer,
        responses={200: TeamSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        payload = TeamJoinInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        team = team_join(
            competition=competition, invite_code=payload.validated_data["invite_code"], user=user
        )
        return _team_response(team)


class MyTeamView(APIView):
    @extend_schema(
        operation_id="teams_mine",
        summary="My team",
        description="Your team in this competition, its members and quota use; 404 `no_team` if none.",
        tags=TAGS,
        responses={200: TeamSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        membership = membership_get(competition=competition, user=user)
        if membership is None:
            raise DomainError("no_team", "You have no team in this competition.")
        return _team_response(membership.team)
