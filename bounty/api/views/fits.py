"""Fitting a model without code, through the API (what the site's Fit pages and ``bounty fit`` do):
ask for a fit, poll it until ``status`` is ``done`` (or ``failed``), then submit it as a pair."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.submissions import SubmissionDetailSerializer
from bounty.api.views.base import logged_in_user, visible_competition
from bounty.api.views.submissions import _detail
from bounty.errors import DomainError
from bounty.lifecycle.fit import fit_request, fit_submit
from bounty.models import FitJob
from scoring.fitting import FAMILIES

TAGS = ["fits"]
FAMILY_HELP = "; ".join(f"{name} ({f.setting}: {', '.join(f.choices)})" for name, f in FAMILIES.items())


class FitInputSerializer(serializers.Serializer[dict[str, Any]]):
    group_text = serializers.CharField(help_text='The group, e.g. `age >= 60 and sex == "Female"`.')
    family = serializers.ChoiceField(choices=list(FAMILIES), help_text=f"The model family: {FAMILY_HELP}.")
    setting = serializers.CharField(
        required=False, allow_blank=True, help_text="Its setting (default medium)."
    )


class FitSerializer(serializers.Serializer[FitJob]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=list(FitJob.Status.values))
    group_text = serializers.CharField()
    family = serializers.CharField()
    setting = serializers.CharField(source="choice")
    estimate = serializers.JSONField(
        allow_null=True,
        help_text="When done: the check on held-out train rows against the base model, as `bounty check` "
        "computes it (mass, loss_current, loss_h, gain, se, margin, accepted, reason, fit_rows, "
        "estimate_rows).",
    )
    error = serializers.CharField(help_text="Why the fit failed (status failed).")
    submission = serializers.IntegerField(source="submission_id", allow_null=True)


def _own_job(request: Request, job_id: int) -> FitJob:
    user = logged_in_user(request)
    job = FitJob.objects.select_related("competition", "team").filter(pk=job_id).first()
    if job is None or not job.team.memberships.filter(user=user).exists():
        raise DomainError("not_found", "No such fitted model.")
    return job


class CompetitionFitsView(APIView):
    @extend_schema(
        operation_id="fits_create",
        summary="Fit a model for a group, without code",
        description=(
            "A worker fits the chosen model on the group's rows of the public train split and estimates "
            "the check on held-out train rows. Needs what a submission needs (confirmed email, terms, a "
            "team that may submit) but costs no quota; at most BOUNTY_FITS_PER_HOUR fits a team an hour "
            "(429 `rate_limited`, with Retry-After). Poll `GET /fits/{id}`."
        ),
        tags=TAGS,
        request=FitInputSerializer,
        responses={202: FitSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        payload = FitInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = fit_request(competition=competition, user=user, group_text=data["group_text"],
                          family=data["family"], choice=data.get("setting") or "")  # fmt: skip
        return Response(FitSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class FitDetailView(APIView):
    @extend_schema(operation_id="fits_retrieve", summary="A fit", tags=TAGS,
                   responses={200: FitSerializer, **error_responses(404)})  # fmt: skip
    def get(self, request: Request, job_id: int) -> Response:
        return Response(FitSerializer(_own_job(request, job_id)).data)


class FitSubmitView(APIView):
    @extend_schema(
        operation_id="fits_submit",
        summary="Submit a fitted model with its group",
        description="An ordinary submission: the same checks, pre-check and quota as an uploaded model.",
        tags=TAGS,
        request=None,
        responses={201: SubmissionDetailSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, job_id: int) -> Response:
        submission = fit_submit(job=_own_job(request, job_id), user=logged_in_user(request))
        return Response(_detail(submission, show_figures=False), status=status.HTTP_201_CREATED)
