"""OpenAPI pieces shared by the views: the error component and the error responses each declares."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "The input is not valid (validation_error codes such as `required`, or a domain code).",
    401: "Not logged in, or the token is not valid (`not_authenticated`, `authentication_failed`).",
    403: "Not allowed (`permission_denied`, `terms_not_accepted`, `email_unconfirmed`, "
    "`team_not_approved`, ...).",
    404: "No such object, or not one this user may see (`not_found`).",
    405: "Method not allowed.",
    409: "A conflict with the current state (`already_in_team`, `not_cancellable`, ...).",
    413: "An uploaded file is too large (`file_too_large`).",
    415: "The request body has an unsupported media type.",
    429: "Too many requests (`throttled` or `rate_limited`, with Retry-After) or a quota used up "
    "(`quota_exceeded`).",
    500: "An unexpected error on the server (`server_error`); nothing about it is disclosed.",
    503: "A service the request waits for did not answer in time (`precheck_unavailable`); retry.",
}
# Every operation can answer these: a bad token is refused even where no login is needed.
ALWAYS = (401, 429, 500)


class ErrorDetailSerializer(serializers.Serializer[object]):
    code = serializers.CharField(help_text="A stable, machine-readable code such as `quota_exceeded`.")
    message = serializers.CharField(help_text="A message safe to show to the user.")
    field = serializers.CharField(allow_null=True, help_text="The input field at fault, if any.")


class ErrorSerializer(serializers.Serializer[object]):
    """The body of every error response of the API."""

    error = ErrorDetailSerializer()


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation: ``statuses`` plus 401, 429 and 500."""
    codes = sorted({*statuses, *ALWAYS})
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}
