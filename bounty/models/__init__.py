"""The platform's data model."""

from bounty.models.account import Account
from bounty.models.audit import AuditEvent
from bounty.models.competition import Competition
from bounty.models.finding import Finding
from bounty.models.fit import FitJob
from bounty.models.landscape import Landscape
from bounty.models.last_mile import LastMileAudit
from bounty.models.notice import Notice
from bounty.models.quota import QuotaLedger
from bounty.models.reward import LedgerEntry, RewardProgram, TeamShare
from bounty.models.standing import Disqualification, UpdateStanding
from bounty.models.submission import Submission
from bounty.models.team import Membership, Team, TermsAcceptance
from bounty.models.version import ModelVersion
from bounty.models.wizard import CompetitionDraft

__all__ = [
    "Account",
    "AuditEvent",
    "Competition",
    "CompetitionDraft",
    "Disqualification",
    "Finding",
    "FitJob",
    "Landscape",
    "LastMileAudit",
    "LedgerEntry",
    "Membership",
    "ModelVersion",
    "Notice",
    "QuotaLedger",
    "RewardProgram",
    "Submission",
    "Team",
    "TeamShare",
    "TermsAcceptance",
    "UpdateStanding",
]
