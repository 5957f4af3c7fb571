from __future__ import annotations

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.competitions import (
    CompetitionDetailSerializer,
    CompetitionSerializer,
    DataCardSerializer,
    DataSchemaSerializer,
    TermsAcceptanceSerializer,
    TermsAcceptInputSerializer,
    data_card_data,
    data_schema,
)
from bounty.api.views.base import logged_in_user, request_user, visible_competition
from bounty.attachments import attachment
from bounty.selectors.competitions import competition_data_card, competition_list
from bounty.selectors.downloads import train_baseline_npy, train_baseline_table, train_split
from bounty.services.terms import terms_accept

TAGS = ["competitions"]


class CompetitionListView(APIView):
    @extend_schema(
        operation_id="competitions_list",
        summary="List competitions",
        description="Open and closed competitions, plus drafts you organize.",
        tags=TAGS,
        responses={200: CompetitionSerializer(many=True), **error_responses(403)},
    )
    def get(self, request: Request) -> Response:
        competitions = competition_list(user=request_user(request))
        return Response(CompetitionSerializer(competitions, many=True).data)


class CompetitionDetailView(APIView):
    @extend_schema(
        operation_id="competitions_retrieve",
        summary="A competition",
        description="The competition, its rules and terms, and what you have done in it (`viewer`).",
        tags=TAGS,
        responses={200: CompetitionDetailSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        competition = visible_competition(request, slug)
        context = {"user": request_user(request)}
        return Response(CompetitionDetailSerializer(competition, context=context).data)


class CompetitionSchemaView(APIView):
    @extend_schema(
        operation_id="competitions_schema",
        summary="The data schema",
        description="The columns a model receives, the target and the task.",
        tags=TAGS,
        responses={200: DataSchemaSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        competition = visible_competition(request, slug)
        return Response(DataSchemaSerializer(data_schema(competition)).data)


class CompetitionDataCardView(APIView):
    @extend_schema(
        operation_id="competitions_data_card",
        summary="The data card",
        tags=TAGS,
        responses={200: DataCardSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        card = competition_data_card(competition=visible_competition(request, slug))
        return Response(DataCardSerializer(data_card_data(card)).data)


class TermsAcceptView(APIView):
    @extend_schema(
        operation_id="competitions_terms_accept",
        summary="Accept the current terms",
        description="Send the `terms_version` you read; 409 `terms_outdated` if they have changed.",
        tags=TAGS,
        request=TermsAcceptInputSerializer,
        responses={200: TermsAcceptanceSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        payload = TermsAcceptInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        acceptance = terms_accept(
            competition=competition, user=user, terms_version=payload.validated_data["terms_version"]
        )
        return Response(TermsAcceptanceSerializer(acceptance).data)


class TrainDownloadView(APIView):
    @extend_schema(
        operation_id="competitions_train_csv",
        summary="Download the public train split",
        description="Only after accepting the current terms (403 `terms_not_accepted`).",
        tags=TAGS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The train rows."),
            **error_responses(403, 404),
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        user = logged_in_user(request)
        return attachment(train_split(competition=visible_competition(request, slug), user=user))


class TrainBaselineView(APIView):
    @extend_schema(
        operation_id="competitions_train_baseline_csv",
        summary="Download the base model's predictions on the public train split",
        description=(
            "One row per train row, in file order: `base_prediction` (class name or value), or one "
            "`p_<class>` column per class for probability losses. Same gate as the train split."
        ),
        tags=TAGS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The base predictions."),
            **error_responses(403, 404),
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        user = logged_in_user(request)
        return attachment(train_baseline_table(competition=visible_competition(request, slug), user=user))


class TrainBaselineArrayView(APIView):
    @extend_schema(
        operation_id="competitions_train_baseline_npy",
        summary="The base model's train predictions as the engine holds them (.npy)",
        description=(
            "Class codes in schema order (label losses), an (n, k) probability array (probability losses) "
            "or values (regression), one per train row in file order; saved without pickle. "
            "The command-line client's local check uses it."
        ),
        tags=TAGS,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="A .npy array."
            ),
            **error_responses(403, 404),
        },
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        user = logged_in_user(request)
        return attachment(train_baseline_npy(competition=visible_competition(request, slug), user=user))
