"""What a submission's author is told at each end of its life. Nothing derived from the holdout beyond
the reason category (the engine's own message only where it is about the uploaded file itself)."""

from __future__ import annotations

from scoring.errors import EngineError, Reason

PUBLIC_MESSAGES = {
    Reason.ACCEPTED: "Accepted: the pair improved the global model.",
    Reason.GROUP_TOO_SMALL: "The group holds too few of the hidden rows.",
    Reason.INSUFFICIENT_IMPROVEMENT: "The model did not improve the global model on the group by enough.",
    Reason.GAP_TOO_SMALL: "The current model's loss on the group is not above the rest's by enough.",
    Reason.INVALID_GROUP: "The group could not be used.",
    Reason.INVALID_MODEL: "The model file could not be used.",
    Reason.SCHEMA_MISMATCH: "The model does not fit the competition's data schema.",
    Reason.PREDICTION_ERROR: "The model failed while predicting or gave unusable predictions.",
    Reason.TIMEOUT: "The model ran out of time.",
    Reason.RESOURCE_LIMIT: "The model exceeded the memory or resource limits.",
}
# Reasons whose engine message is about the uploaded file itself, so it is safe to show.
FILE_REASONS = {Reason.INVALID_GROUP, Reason.INVALID_MODEL}
FAILED = "The platform could not score this submission; it does not count against your quota."
WAITING = "The pair passed the check and is waiting for an organizer's approval."
DECLINED = "An organizer declined this pair; it was not merged into the global model."
FINDING_ACCEPTED = "Accepted: the finding is verified on the hidden holdout and published."
WITHDRAWN = "Your team was disqualified; this submission was not decided."


def refusal_message(error: EngineError) -> str:
    """What the author sees of an engine refusal."""
    return error.message if error.reason in FILE_REASONS else PUBLIC_MESSAGES[error.reason]
