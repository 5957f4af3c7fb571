"""The engine's one error type and the fixed set of decision reasons."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a submission was decided the way it was. Participants see only this category."""

    ACCEPTED = "accepted"
    GROUP_TOO_SMALL = "group_too_small"
    INSUFFICIENT_IMPROVEMENT = "insufficient_improvement"
    GAP_TOO_SMALL = "gap_too_small"  # a finding whose group is not worse off than the rest by enough
    INVALID_GROUP = "invalid_group"
    INVALID_MODEL = "invalid_model"
    SCHEMA_MISMATCH = "schema_mismatch"
    PREDICTION_ERROR = "prediction_error"
    TIMEOUT = "timeout"
    RESOURCE_LIMIT = "resource_limit"


class EngineError(Exception):
    """A refusal with a reason category and a message safe to show the submitter.

    ``field`` names the input (column, file, group node) at fault when there is one.
    """

    def __init__(self, reason: Reason, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.field = field

    def with_message(self, message: str) -> EngineError:
        """The same refusal (reason and field) with another message."""
        return EngineError(self.reason, message, field=self.field)

    def __repr__(self) -> str:
        return f"EngineError({self.reason.value!r}, {self.message!r}, field={self.field!r})"
