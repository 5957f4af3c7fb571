"""The platform's data model."""

from bounty.models.audit import AuditEvent
from bounty.models.competition import Competition
from bounty.models.quota import QuotaLedger
from bounty.models.submission import Submission
from bounty.models.team import Membership, Team, TermsAcceptance
from bounty.models.version import ModelVersion

__all__ = [
    "AuditEvent",
    "Competition",
    "Membership",
    "ModelVersion",
    "QuotaLedger",
    "Submission",
    "Team",
    "TermsAcceptance",
]
