"""Public endpoints: anyone may read them, logged in or not."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.public import (
    LeaderboardRowSerializer,
    MetricsSerializer,
    PublicVersionSerializer,
)
from bounty.api.views.base import visible_competition
from bounty.selectors.leaderboard import leaderboard
from bounty.selectors.versions import competition_metrics, version_list_public

TAGS = ["public"]


class LeaderboardView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="competitions_leaderboard",
        summary="The leaderboard",
        description="Teams ranked by credit; ties go to the earlier accepted submission.",
        tags=TAGS,
        responses={200: LeaderboardRowSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        rows = leaderboard(competition=visible_competition(request, slug))
        return Response(LeaderboardRowSerializer(rows, many=True).data)


class VersionsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="competitions_versions",
        summary="The global model's versions",
        description="Number, kind, time and public gain of each version; no holdout losses.",
        tags=TAGS,
        responses={200: PublicVersionSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        versions = version_list_public(competition=visible_competition(request, slug))
        return Response(PublicVersionSerializer(versions, many=True).data)


class MetricsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="competitions_metrics",
        summary="Progress metrics",
        description="The current holdout loss as a share of the base model's, and accepted updates.",
        tags=TAGS,
        responses={200: MetricsSerializer, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        metrics = competition_metrics(competition=visible_competition(request, slug))
        return Response(MetricsSerializer(metrics).data)
