from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bounty.api.schema import error_responses
from bounty.api.serializers.auth import TokenRequestSerializer, TokenSerializer
from bounty.api.throttles import LoginThrottle
from bounty.services.tokens import api_token_issue


class TokenView(APIView):
    """Exchange a user name and password for the user's API token."""

    permission_classes = [AllowAny]
    authentication_classes = []  # credentials come in the body; no session, so no CSRF token
    throttle_classes = [LoginThrottle]

    @extend_schema(
        operation_id="auth_token",
        summary="Get an API token",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token = api_token_issue(
            username=payload.validated_data["username"], password=payload.validated_data["password"]
        )
        return Response(TokenSerializer({"token": token.key}).data)
