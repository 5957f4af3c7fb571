"""The reward program and the payout ledger over the API, for the competition's organizers (the console's
Program and Ledger pages): set the program, read the ledger, release or decline a queued award, mark an
entry paid, add a correction, export the payout CSV."""

from __future__ import annotations

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.rewards import (
    CorrectionInputSerializer,
    DeclineInputSerializer,
    EntrySerializer,
    ProgramInputSerializer,
    ProgramViewSerializer,
)
from bounty.api.views.organizer import CSV, _file, _payload, organized_competition
from bounty.attachments import attachment
from bounty.errors import DomainError
from bounty.lifecycle.rewards import (
    entry_decline,
    entry_mark_paid,
    entry_release,
    ledger_correct,
    program_set,
)
from bounty.models import LedgerEntry, Team
from bounty.selectors.downloads import Download
from bounty.selectors.rewards import program_view
from bounty.services.exports import payout_csv

TAGS = ["organize"]


class ProgramSetView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="organize_program_set",
        summary="Create or change the reward program",
        description="Amounts are decimal strings to the cent. The pool cannot go below what is committed "
        "(409 `pool_below_committed`). Awards due under the program are written at once; a change applies "
        "to later acceptances.",
        tags=TAGS,
        request=ProgramInputSerializer,
        responses={200: ProgramViewSerializer, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str) -> Response:
        user, competition = organized_competition(request, slug)
        program = program_set(
            competition=competition, actor=user, **_payload(ProgramInputSerializer, request)
        )
        view = program_view(program)
        return Response(ProgramViewSerializer({**view.__dict__, "program": program}).data)


class LedgerView(APIView):
    @extend_schema(
        operation_id="organize_ledger",
        summary="The payout ledger",
        description="Every entry, in the order written.",
        tags=TAGS,
        responses={200: EntrySerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        _, competition = organized_competition(request, slug)
        entries = LedgerEntry.objects.filter(competition=competition).select_related("team").order_by("id")
        return Response(EntrySerializer(entries, many=True).data)


class EntryActionView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="organize_ledger_entry",
        summary="Release or decline a queued award, or mark an entry paid",
        description="`action` is `release` (409 `pool_exhausted` without room), `decline` (needs a "
        "reason) or `paid` (a committed entry, once: 409 `not_payable`).",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["release", "decline", "paid"]
            )
        ],
        request=DeclineInputSerializer,
        responses={200: EntrySerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, entry_id: int, action: str) -> Response:
        user, competition = organized_competition(request, slug)
        if action == "release":
            entry = entry_release(competition=competition, entry_id=entry_id, actor=user)
        elif action == "decline":
            reason = _payload(DeclineInputSerializer, request)["reason"]
            entry = entry_decline(competition=competition, entry_id=entry_id, actor=user, reason=reason)
        elif action == "paid":
            entry = entry_mark_paid(competition=competition, entry_id=entry_id, actor=user)
        else:
            raise DomainError("not_found", "No such action: release, decline or paid.")
        return Response(EntrySerializer(entry).data)


class CorrectionView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="organize_ledger_correct",
        summary="Add a correction to a team's balance",
        description="A signed amount and the reason (kept in the audit log); a positive one needs room "
        "in the pool.",
        tags=TAGS,
        request=CorrectionInputSerializer,
        responses={201: EntrySerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user, competition = organized_competition(request, slug)
        data = _payload(CorrectionInputSerializer, request)
        team = Team.objects.filter(pk=data["team_id"], competition=competition).first()
        if team is None:
            raise DomainError("not_found", "There is no such team in this competition.")
        entry = ledger_correct(competition=competition, team=team, amount=data["amount"], actor=user,
                               reason=data["reason"])  # fmt: skip
        return Response(EntrySerializer(entry).data, status=201)


class PayoutExportView(APIView):
    @extend_schema(
        operation_id="organize_export_payouts",
        summary="The payout ledger as CSV",
        description="One row per entry and team member, with the member's part; recorded in the audit log.",
        tags=TAGS,
        responses={**_file("text/csv", "The payouts."), **error_responses(403, 404, 409)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        user, competition = organized_competition(request, slug)
        text = payout_csv(competition=competition, actor=user)
        return attachment(Download(f"{competition.slug}-payouts.csv", CSV, content=text.encode()))
