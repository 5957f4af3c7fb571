"""Explore through the API: the landscape of the competition's current version on the public train
split (the page's figures, as data). Poll until ``status`` is ``done``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.views.base import logged_in_user, visible_competition
from bounty.models import Landscape
from bounty.selectors.landscapes import explore_access
from bounty.services.landscapes import landscape_request


class ExploreSerializer(serializers.Serializer[dict[str, Any]]):
    version = serializers.IntegerField(help_text="The global model's version explored.")
    status = serializers.ChoiceField(
        choices=list(Landscape.Status.values), help_text="Poll until it is done."
    )
    error = serializers.CharField(help_text="Why the search failed (status failed).")
    landscape = serializers.JSONField(
        source="data",
        allow_null=True,
        help_text=(
            "When done: rows, loss, scoring (SliceLine's alpha, min_rows), cuts, columns (levels with rows "
            "and mean loss), pairs (rows and mean loss by pair of levels) and slices (the top groups with "
            "text, words, tree, rows, loss, gap, low, high, score)."
        ),
    )


class ExploreView(APIView):
    @extend_schema(
        operation_id="competitions_explore",
        summary="Where the current model does worst on the train split",
        description=(
            "Every group of one or two columns, searched on the public train split with the current "
            "version's predictions; the top groups are ranked by SliceLine's score. Computed once per "
            "version by a worker: poll while status is queued or running. Needs the current terms accepted."
        ),
        tags=["competitions"],
        responses={200: ExploreSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        user = logged_in_user(request)
        competition = visible_competition(request, slug)
        explore_access(competition=competition, user=user)
        landscape = landscape_request(competition=competition)
        data = landscape.data if landscape.status == Landscape.Status.DONE else None
        answer = {"version": landscape.version, "status": landscape.status, "error": landscape.error}
        return Response(ExploreSerializer({**answer, "data": data}).data)
