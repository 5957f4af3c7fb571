from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.submissions import (
    SubmissionCreateInputSerializer,
    SubmissionDetailSerializer,
    SubmissionSerializer,
)
from bounty.api.throttles import SubmitThrottle
from bounty.api.views.base import logged_in_user, visible_competition
from bounty.errors import DomainError
from bounty.lifecycle import submission_cancel, submission_create
from bounty.models import Submission
from bounty.selectors.competitions import membership_get
from bounty.selectors.submissions import submission_get_visible, submission_list_for_team

TAGS = ["submissions"]
# The services name the web form's fields; the API's multipart fields are called differently.
API_FIELDS = {"model_file": "model", "group_model_file": "group_model"}


class CompetitionSubmissionsView(APIView):
    parser_classes = [MultiPartParser]

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = list(super().get_throttles())
        if self.request.method == "POST":
            throttles.append(SubmitThrottle())
        return throttles

    @extend_schema(
        operation_id="submissions_list",
        summary="My team's submissions",
        description="Newest first; an empty list when you have no team.",
        tags=TAGS,
        responses={200: SubmissionSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        membership = membership_get(competition=competition, user=user)
        if membership is None:
            return Response([])
        submissions = submission_list_for_team(team=membership.team).select_related("competition", "team")
        return Response(SubmissionSerializer(submissions, many=True).data)

    @extend_schema(
        operation_id="submissions_create",
        summary="Submit a (group, model) pair",
        description=(
            "Multipart form. The group is exactly one of `group` (a JSON tree as a string), "
            "`group_text` (the text form) or a `group_model` file; `model` is a skops or ONNX file; "
            "`description` is an optional note (at most 500 characters) shown to your team. "
            "Needs a confirmed email address (403 `email_unconfirmed`), the current terms accepted "
            "and a team, approved by an organizer where the competition asks for it (403 "
            "`team_not_approved`); counts against the team's daily and "
            "total quotas (429 `quota_exceeded`). Before it is queued, the files are checked from "
            "their bytes and the pair runs on a few hundred public train rows: a failure there "
            "(a pickle, a model that misses a column, labels outside the classes...) is refused "
            "at once with its exact cause (400, the engine's reason as the code) and costs no quota. "
            "These runs are limited per user (429 `rate_limited`, with Retry-After)."
        ),
        tags=TAGS,
        request={"multipart/form-data": SubmissionCreateInputSerializer},
        responses={201: SubmissionDetailSerializer, **error_responses(400, 403, 404, 409, 413, 503)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        payload = SubmissionCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            submission = submission_create(
                competition=competition,
                user=user,
                group_text=data.get("group_text") or "",
                group_tree=data.get("group"),
                model_file=data["model"],
                group_model_file=data.get("group_model"),
                description=data.get("description") or "",
                precheck=True,
            )
        except DomainError as exc:
            exc.field = API_FIELDS.get(exc.field or "", exc.field)
            raise
        return Response(_detail(submission, show_figures=False), status=status.HTTP_201_CREATED)


def _detail(submission: Submission, *, show_figures: bool) -> dict[str, object]:
    fresh = Submission.objects.select_related("competition", "team", "author", "standing").get(
        pk=submission.pk
    )
    return dict(SubmissionDetailSerializer(fresh, context={"show_figures": show_figures}).data)


class SubmissionDetailView(APIView):
    @extend_schema(
        operation_id="submissions_retrieve",
        summary="A submission",
        description=(
            "Your team's submission (or any, for the competition's organizers): status, reason, "
            "message and public gain. `figures` is null except for organizers. Another team's "
            "submission is 404."
        ),
        tags=TAGS,
        responses={200: SubmissionDetailSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, submission_id: int) -> Response:
        user = logged_in_user(request)
        submission, organizer = submission_get_visible(submission_id=submission_id, user=user)
        return Response(_detail(submission, show_figures=organizer))


class SubmissionCancelView(APIView):
    @extend_schema(
        operation_id="submissions_cancel",
        summary="Cancel a queued submission",
        description="Only while it is queued (409 `not_cancellable`); its quota slot is given back.",
        tags=TAGS,
        request=None,
        responses={200: SubmissionDetailSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, submission_id: int) -> Response:
        user = logged_in_user(request)
        submission, organizer = submission_get_visible(submission_id=submission_id, user=user)
        cancelled = submission_cancel(submission=submission, user=user)
        return Response(_detail(cancelled, show_figures=organizer))
