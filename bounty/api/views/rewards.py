"""Findings, reward programs and earnings over the API (what the Findings, Program and Earnings pages
show, and what ``bounty find`` and ``bounty earnings`` use)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.public import PublishedFindingSerializer
from bounty.api.serializers.rewards import (
    EarningsSerializer,
    FindingInputSerializer,
    ProgramViewSerializer,
    SplitInputSerializer,
)
from bounty.api.serializers.submissions import SubmissionDetailSerializer
from bounty.api.throttles import SubmitThrottle
from bounty.api.views.base import logged_in_user, visible_competition
from bounty.api.views.submissions import _detail
from bounty.errors import DomainError
from bounty.lifecycle.submit import finding_create
from bounty.selectors.competitions import membership_get
from bounty.selectors.findings import published_findings
from bounty.selectors.rewards import competition_program, program_view, team_earnings, team_entries
from bounty.services.shares import share_set

TAGS = ["findings and rewards"]


class FindingsView(APIView):
    parser_classes = [JSONParser]

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = list(super().get_throttles())
        if self.request.method == "POST":
            throttles.append(SubmitThrottle())
        return throttles

    @extend_schema(
        operation_id="findings_list",
        summary="Published findings",
        description="Every accepted finding, in arrival order: the group, its gap at the published step, its "
        "severity tier, whether an Explore slice listed it, and the pair that fixed it with the gap after.",
        tags=TAGS,
        responses={200: PublishedFindingSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        competition = visible_competition(request, slug)
        findings = published_findings(competition=competition)
        return Response(PublishedFindingSerializer(findings, many=True).data)

    @extend_schema(
        operation_id="findings_create",
        summary="Submit a finding: a group alone",
        description="Claims the current model's loss on the group is above the rest's by the competition's "
        "beta (plus its margin) on the hidden holdout. Checked at the door like a pair's group, then queued "
        "in arrival order; it uses one of the team's submissions. Poll `GET /submissions/{id}`.",
        tags=TAGS,
        request=FindingInputSerializer,
        responses={201: SubmissionDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        payload = FindingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(payload.validated_data)
        submission = finding_create(
            competition=competition,
            user=user,
            group_text=data.get("group_text") or "",
            group_tree=data.get("group"),
            description=data.get("description") or "",
        )
        return Response(_detail(submission, show_figures=False), status=status.HTTP_201_CREATED)


class ProgramView(APIView):
    @extend_schema(
        operation_id="program_retrieve",
        summary="The reward program",
        description="What the competition pays, with what is committed so far; 404 `no_program` if none.",
        tags=TAGS,
        responses={200: ProgramViewSerializer, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        competition = visible_competition(request, slug)
        program = competition_program(competition)
        if program is None:
            raise DomainError("not_found", "This competition has no reward program.")
        view = program_view(program)
        return Response(ProgramViewSerializer({**view.__dict__, "program": program}).data)


def _earnings(request: Request, slug: str) -> dict[str, Any]:
    user = logged_in_user(request)
    competition = visible_competition(request, slug)
    membership = membership_get(competition=competition, user=user)
    if membership is None:
        raise DomainError("no_team", "Create or join a team to earn rewards.")
    earnings = team_earnings(membership.team)
    program = competition_program(competition)
    parts = [
        {"member": member.username, "amount": amount, "weight": weight}
        for (member, amount), weight in zip(earnings.parts, earnings.split.weights, strict=True)
    ]
    return {
        "team": membership.team.name,
        "currency": program.currency if program else None,
        "balance": earnings.committed,
        "paid": earnings.paid,
        "unpaid": earnings.unpaid,
        "queued": earnings.queued,
        "custom_split": earnings.split.custom,
        "parts": parts,
        "entries": team_entries(membership.team),
    }


class EarningsView(APIView):
    @extend_schema(
        operation_id="earnings_retrieve",
        summary="Your team's earnings",
        description="The balance (every committed ledger entry), what is paid and queued, each member's part "
        "under the team's split, and every entry.",
        tags=TAGS,
        responses={200: EarningsSerializer, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        return Response(EarningsSerializer(_earnings(request, slug)).data)


class SplitView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="earnings_split",
        summary="Change your team's split",
        description="A weight for every member (by username), whole numbers 0-1000 not all 0; {} for equal "
        "shares. Any member, until the payout date (409 `payout_date_passed` after).",
        tags=TAGS,
        request=SplitInputSerializer,
        responses={200: EarningsSerializer, **error_responses(400, 404, 409)},
    )
    def put(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        membership = membership_get(competition=competition, user=user)
        if membership is None:
            raise DomainError("no_team", "Create or join a team to earn rewards.")
        payload = SplitInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        share_set(team=membership.team, user=user, weights=dict(payload.validated_data["weights"]))
        return Response(EarningsSerializer(_earnings(request, slug)).data)
