"""The platform's one error type and the one table that gives each error code its HTTP status.

Services, selectors and the lifecycle raise ``DomainError(code, message, field)``; they never choose a
status. The pages, the JSON views and the API answer with ``ERROR_STATUS[code]``. A code missing from
the table is a programming error, refused when the error is made (``tests/platform/test_error_codes.py``
checks every raise in the code against the table).
"""

from __future__ import annotations

from typing import Any

from scoring.errors import Reason

# Refusals of the engine (a group, a model or a file it cannot use) reach the user as their reason code.
_ENGINE_REFUSALS = {reason.value: 400 for reason in Reason if reason is not Reason.ACCEPTED}

ERROR_STATUS: dict[str, int] = {
    **_ENGINE_REFUSALS,
    # the input itself is wrong (400)
    "file_empty": 400,
    "invalid_choice": 400,
    "invalid_confirmation_link": 400,
    "invalid_credentials": 400,
    "invalid_definition": 400,
    "invalid_data": 400,
    "invalid_invite_code": 400,
    "invalid_loss": 400,
    "invalid_model": 400,
    "invalid_rules": 400,
    "invalid_schema": 400,
    "invalid_split": 400,
    "invalid_version": 400,
    "reason_required": 400,
    "reason_too_long": 400,
    "request_malformed": 400,
    "slug_taken": 400,
    "team_name_required": 400,
    "train_too_large": 400,
    "training_failed": 400,
    "username_required": 400,
    "weak_password": 400,
    # who you are (401, 403)
    "login_required": 401,
    "email_unconfirmed": 403,
    "forbidden": 403,
    "permission_denied": 403,
    "team_disqualified": 403,
    "team_not_approved": 403,
    "terms_not_accepted": 403,
    # what you asked for is not there (404)
    "no_team": 404,
    "not_found": 404,
    # the state of things does not allow it now (409)
    "already_closed": 409,
    "already_created": 409,
    "already_disqualified": 409,
    "already_in_team": 409,
    "already_submitted": 409,
    "already_approved": 409,
    "draft_busy": 409,
    "audit_append_only": 409,
    "competition_not_open": 409,
    "incomplete": 409,
    "no_data": 409,
    "no_model": 409,
    "no_schema": 409,
    "not_awaiting_approval": 409,
    "not_cancellable": 409,
    "not_payable": 409,
    "not_queued": 409,
    "no_program": 409,
    "payout_date_passed": 409,
    "pool_below_committed": 409,
    "pool_exhausted": 409,
    "not_draft": 409,
    "team_conflict": 409,
    "team_name_taken": 409,
    "terms_outdated": 409,
    "unresolved_problems": 409,
    "username_taken": 409,
    # too much (413, 429)
    "file_too_large": 413,
    "request_too_large": 413,
    "quota_exceeded": 429,
    "rate_limited": 429,
    # our side (500, 503)
    "competition_misconfigured": 500,
    "preview_unavailable": 503,
    "precheck_unavailable": 503,
}


class DomainError(Exception):
    """A refusal the user can act on: a stable ``code`` (a key of ``ERROR_STATUS``), a safe
    ``message`` and the input ``field`` at fault, when there is one."""

    def __init__(
        self, code: str, message: str, field: str | None = None, *, retry_after: int | None = None
    ) -> None:
        if code not in ERROR_STATUS:
            raise ValueError(f"unknown error code {code!r}: add it to bounty.errors.ERROR_STATUS")
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after  # seconds, sent as Retry-After (a rate limit)

    @property
    def status(self) -> int:
        """The HTTP status this refusal is answered with (from ``ERROR_STATUS``)."""
        return ERROR_STATUS[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, field={self.field!r})"
