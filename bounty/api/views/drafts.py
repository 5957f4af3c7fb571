"""Competitions as code: send a definition and its files, follow the draft's progress, correct it.

``POST organize/competitions`` answers 202 at once; the reading, typing, training and creating run in
the background and ``GET organize/drafts/<id>`` reports them (``job``). A definition that leaves a
problem unresolved stops with ``job.status == "needs_choices"`` and the problems (rows included);
``POST organize/drafts/<id>/definition`` sends the corrected definition without the files again;
``POST organize/competitions/<slug>/open`` opens a competition created as a draft.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.drafts import DefinitionInputSerializer, DraftSerializer
from bounty.api.serializers.organizer import ActionResultSerializer, OrganizerCompetitionSerializer
from bounty.api.views.base import logged_in_user
from bounty.api.views.organizer import organized_competition
from bounty.errors import DomainError
from bounty.selectors.definitions import definition_export
from bounty.selectors.organizers import draft_get, draft_list, require_organizer
from bounty.services.definitions import definition_resubmit, definition_submit
from bounty.services.organize import competition_open

TAGS = ["organize"]
FILE_FIELDS = ("data", "train", "holdout", "confirmation", "model")
MAX_DEFINITION_BYTES = 1024 * 1024


def _definition_text(request: Request) -> str:
    upload = request.FILES.get("definition")
    if upload is None:
        raise DomainError("invalid_definition", "Send the definition (YAML) as the form field 'definition'.")
    if upload.size and upload.size > MAX_DEFINITION_BYTES:
        raise DomainError("file_too_large", "The definition is larger than 1 MB.", "definition")
    try:
        return b"".join(upload.chunks()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("invalid_definition", "The definition is not UTF-8 text.", "definition") from None


def _uploads(request: Request) -> dict[str, object]:
    return {key: request.FILES[key] for key in FILE_FIELDS if key in request.FILES}


class DraftCreateView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="organize_competition_create",
        summary="Create a competition from a definition and its files",
        description="Answers 202 with the draft; follow `job` at `organize/drafts/{id}`.",
        tags=TAGS,
        request={"multipart/form-data": DefinitionInputSerializer},
        responses={202: DraftSerializer, **error_responses(400, 403, 413)},
    )
    def post(self, request: Request) -> Response:
        user = require_organizer(logged_in_user(request))
        draft = definition_submit(user=user, text=_definition_text(request), uploads=_uploads(request))  # type: ignore[arg-type]
        return Response(DraftSerializer(draft).data, status=status.HTTP_202_ACCEPTED)


class DraftListView(APIView):
    @extend_schema(
        operation_id="organize_drafts_list",
        summary="Your competition drafts",
        tags=TAGS,
        responses={200: DraftSerializer(many=True), **error_responses(403)},
    )
    def get(self, request: Request) -> Response:
        user = require_organizer(logged_in_user(request))
        drafts = draft_list(user=user)[:100]
        return Response(DraftSerializer(drafts, many=True).data)


class DraftDetailView(APIView):
    @extend_schema(
        operation_id="organize_draft_get",
        summary="A draft's progress, problems and outcome",
        tags=TAGS,
        responses={200: DraftSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, draft_id: int) -> Response:
        user = require_organizer(logged_in_user(request))
        return Response(DraftSerializer(draft_get(user=user, draft_id=draft_id)).data)


class DraftDefinitionView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="organize_draft_definition_get",
        summary="The draft's definition as YAML (what the wizard built)",
        tags=TAGS,
        responses={
            (200, "application/yaml"): OpenApiResponse(description="YAML"),
            **error_responses(403, 404),
        },
    )
    def get(self, request: Request, draft_id: int) -> HttpResponse:
        user = require_organizer(logged_in_user(request))
        draft = draft_get(user=user, draft_id=draft_id)
        response = HttpResponse(definition_export(draft), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{draft.slug}.yaml"'
        return response

    @extend_schema(
        operation_id="organize_draft_definition_send",
        summary="Run a corrected definition on the draft (files optional: the stored ones are reused)",
        tags=TAGS,
        request={"multipart/form-data": DefinitionInputSerializer},
        responses={202: DraftSerializer, **error_responses(400, 403, 404, 409, 413)},
    )
    def post(self, request: Request, draft_id: int) -> Response:
        user = require_organizer(logged_in_user(request))
        draft = draft_get(user=user, draft_id=draft_id)
        draft = definition_resubmit(draft=draft, text=_definition_text(request), uploads=_uploads(request))  # type: ignore[arg-type]
        return Response(DraftSerializer(draft).data, status=status.HTTP_202_ACCEPTED)


class CompetitionOpenView(APIView):
    @extend_schema(
        operation_id="organize_open",
        summary="Open a draft competition for submissions",
        description="What the competition page's *Open* button does. 409 `not_draft` unless it is a draft.",
        tags=TAGS,
        request=None,
        responses={200: ActionResultSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user, competition = organized_competition(request, slug)
        opened = competition_open(competition=competition, user=user)
        body = {
            "message": "The competition is open.",
            "competition": OrganizerCompetitionSerializer(opened).data,
        }
        return Response(body)
