"""The console over the API, under ``/api/v1/organize/competitions/<slug>/``: the review queue, the
actions on the model (approve, decline, roll back, disqualify, confirm, close) and the exports.

The competition's organizers and staff only, with the console's refusals: 404 ``not_found`` for a
competition the user may not see (another organizer's draft), 403 ``forbidden`` for one they do not
organize. Each action needs a reason (a note for approvals), is recorded as an audit event by its
service, and answers the console's message with the competition as it now is.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.organizer import (
    ActionResultSerializer,
    ConfirmResultSerializer,
    DisqualificationSerializer,
    DisqualifyResultSerializer,
    NoteInputSerializer,
    OrganizerCompetitionSerializer,
    OrganizerVersionSerializer,
    ReasonInputSerializer,
    ReviewSerializer,
    ReviewSubmissionSerializer,
    RollbackInputSerializer,
    RollbackResultSerializer,
    SubmissionActionSerializer,
)
from bounty.api.views.base import logged_in_user, visible_competition
from bounty.attachments import attachment
from bounty.errors import DomainError
from bounty.lifecycle import (
    competition_close,
    competition_confirm,
    competition_rollback,
    submission_approve,
    submission_decline,
    team_disqualify,
)
from bounty.models import Competition, Submission, Team
from bounty.selectors.downloads import Download
from bounty.selectors.review import (
    awaiting_approval,
    decisions_for_review,
    organizer_actions,
    team_rows,
    versions_newest_first,
)
from bounty.services.exports import bundle_export, leaderboard_csv, submissions_csv
from bounty.services.organizer_guards import organizer_required

TAGS = ["organize"]
CSV = "text/csv; charset=utf-8"
FIGURES = {"show_figures": True}  # organizers see the figures behind each decision


def organized_competition(request: Request, slug: str) -> tuple[User, Competition]:
    """The user and the competition they organize (staff: any): 401, 404 or 403 otherwise."""
    user = logged_in_user(request)
    competition = visible_competition(request, slug)
    organizer_required(competition=competition, actor=user)
    return user, competition


def _payload(serializer_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


def _result(competition: Competition, message: str, **extra: Any) -> Response:
    """The console's ``message`` with the competition as it is now (an action moves its head or status)."""
    competition.refresh_from_db()
    return Response(
        {"message": message, "competition": OrganizerCompetitionSerializer(competition).data, **extra}
    )


def _submission_in(competition: Competition, submission_id: int) -> Submission:
    submission = (
        Submission.objects.select_related("competition")
        .filter(pk=submission_id, competition=competition)
        .first()
    )
    if submission is None:
        raise DomainError("not_found", "There is no such submission in this competition.")
    return submission


def _submission_data(submission: Submission) -> dict[str, Any]:
    fresh = Submission.objects.select_related("competition", "team", "author", "standing").get(
        pk=submission.pk
    )
    return dict(ReviewSubmissionSerializer(fresh, context=FIGURES).data)


def _team_in(competition: Competition, team_id: int) -> Team:
    team = competition.teams.filter(pk=team_id).first()
    if team is None:
        raise DomainError("not_found", "There is no such team in this competition.")
    return team


# -- the review page -------------------------------------------------------------------------------
class ReviewView(APIView):
    @extend_schema(
        operation_id="organize_review",
        summary="The review queue (organizers)",
        description=(
            "What the console shows: the submissions waiting for approval and the latest decisions, "
            "with the organizer-only figures and standings, the versions, the teams and the latest "
            "organizer actions. 403 `forbidden` for anyone but the competition's organizers and staff."
        ),
        tags=TAGS,
        responses={200: ReviewSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        _, competition = organized_competition(request, slug)
        review = {
            "competition": competition,
            "awaiting": awaiting_approval(competition=competition),
            "decided": [d.submission for d in decisions_for_review(competition=competition)],
            "versions": versions_newest_first(competition=competition),
            "teams": team_rows(competition=competition),
            "actions": organizer_actions(competition=competition),
        }
        return Response(ReviewSerializer(review, context=FIGURES).data)


# -- decisions on waiting pairs --------------------------------------------------------------------
class ApproveView(APIView):
    @extend_schema(
        operation_id="organize_approve",
        summary="Approve a pair waiting for approval",
        description=(
            "Commits it against the newest version, so it may now be rejected; the queue behind it is "
            "then decided. 409 `not_awaiting_approval` unless it is waiting; the `note` is required."
        ),
        tags=TAGS,
        request=NoteInputSerializer,
        responses={200: SubmissionActionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, submission_id: int) -> Response:
        user, competition = organized_competition(request, slug)
        data = _payload(NoteInputSerializer, request)
        submission = _submission_in(competition, submission_id)
        done = submission_approve(submission=submission, actor=user, note=data["note"])
        message = f"Submission #{done.pk} approved: {done.get_status_display().lower()}."
        return _result(competition, message, submission=_submission_data(done))


class DeclineView(APIView):
    @extend_schema(
        operation_id="organize_decline",
        summary="Decline a pair waiting for approval",
        description=(
            "It is not merged, and the queue behind it moves on. 409 `not_awaiting_approval` unless it "
            "is waiting; the `note` is required."
        ),
        tags=TAGS,
        request=NoteInputSerializer,
        responses={200: SubmissionActionSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, submission_id: int) -> Response:
        user, competition = organized_competition(request, slug)
        data = _payload(NoteInputSerializer, request)
        submission = _submission_in(competition, submission_id)
        done = submission_decline(submission=submission, actor=user, note=data["note"])
        return _result(competition, f"Submission #{done.pk} declined.", submission=_submission_data(done))


# -- actions on the model --------------------------------------------------------------------------
class RollbackView(APIView):
    @extend_schema(
        operation_id="organize_rollback",
        summary="Roll back to a version",
        description=(
            "Appends a version that predicts exactly as `version` did; updates accepted after it stop "
            "counting and their teams are told why."
        ),
        tags=TAGS,
        request=RollbackInputSerializer,
        responses={200: RollbackResultSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user, competition = organized_competition(request, slug)
        data = _payload(RollbackInputSerializer, request)
        version = competition_rollback(
            competition=competition, version=data["version"], actor=user, reason=data["reason"]
        )
        message = f"Rolled back: v{version.number} predicts as v{version.target_version} did."
        return _result(competition, message, version=OrganizerVersionSerializer(version).data)


class DisqualifyView(APIView):
    @extend_schema(
        operation_id="organize_disqualify",
        summary="Disqualify a team",
        description=(
            "Rebuilds the model from the base with every other team's updates, in arrival order (the "
            "check runs again for each); the team's undecided submissions are cancelled. "
            "409 `already_disqualified` the second time."
        ),
        tags=TAGS,
        request=ReasonInputSerializer,
        responses={200: DisqualifyResultSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str, team_id: int) -> Response:
        user, competition = organized_competition(request, slug)
        data = _payload(ReasonInputSerializer, request)
        team = _team_in(competition, team_id)
        dq = team_disqualify(competition=competition, team=team, actor=user, reason=data["reason"])
        message = f"{team.name} is disqualified; the model was rebuilt without its updates as v{dq.version}."
        return _result(competition, message, disqualification=DisqualificationSerializer(dq).data)


class ConfirmView(APIView):
    @extend_schema(
        operation_id="organize_confirm",
        summary="Confirm the counting updates",
        description="Measures every counting update's gain on the hidden confirmation split.",
        tags=TAGS,
        request=ReasonInputSerializer,
        responses={200: ConfirmResultSerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user, competition = organized_competition(request, slug)
        data = _payload(ReasonInputSerializer, request)
        confirmed, unconfirmed = competition_confirm(
            competition=competition, actor=user, reason=data["reason"]
        )
        message = f"Confirmation: {confirmed} updates confirmed, {unconfirmed} not confirmed."
        return _result(competition, message, confirmed=confirmed, unconfirmed=unconfirmed)


class CloseView(APIView):
    @extend_schema(
        operation_id="organize_close",
        summary="Close the competition",
        description=(
            "Stops submissions and confirms every update; afterwards only confirmed updates earn credit. "
            "409 `already_closed` the second time."
        ),
        tags=TAGS,
        request=ReasonInputSerializer,
        responses={200: ActionResultSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user, competition = organized_competition(request, slug)
        data = _payload(ReasonInputSerializer, request)
        competition_close(competition=competition, actor=user, reason=data["reason"])
        return _result(competition, "The competition is closed and its updates were confirmed.")


# -- exports ---------------------------------------------------------------------------------------
def _file(media_type: str, description: str) -> dict[Any, Any]:
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description)}


class BundleExportView(APIView):
    @extend_schema(
        operation_id="organize_export_bundle",
        summary="The current model as a bundle (zip)",
        description=(
            "The head version: manifest, model files and group trees; load it with "
            "`scoring.bundle.load_bundle`. The export is recorded in the audit log."
        ),
        tags=TAGS,
        responses={**_file("application/zip", "The bundle."), **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        user, competition = organized_competition(request, slug)
        filename, data = bundle_export(competition=competition, actor=user)
        return attachment(Download(filename, "application/zip", content=data))


class SubmissionsExportView(APIView):
    @extend_schema(
        operation_id="organize_export_submissions",
        summary="Every submission as CSV, with the organizer-only figures",
        description="In arrival order, with where each stands now. Recorded in the audit log.",
        tags=TAGS,
        responses={**_file("text/csv", "The submissions."), **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        user, competition = organized_competition(request, slug)
        text = submissions_csv(competition=competition, actor=user)
        return attachment(Download(f"{competition.slug}-submissions.csv", CSV, content=text.encode()))


class LeaderboardExportView(APIView):
    @extend_schema(
        operation_id="organize_export_leaderboard",
        summary="The leaderboard as CSV",
        description="What the public leaderboard page shows (the same file as its CSV link).",
        tags=TAGS,
        responses={**_file("text/csv", "The leaderboard."), **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        _, competition = organized_competition(request, slug)
        text = leaderboard_csv(competition=competition)
        return attachment(Download(f"{competition.slug}-leaderboard.csv", CSV, content=text.encode()))
