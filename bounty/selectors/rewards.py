"""Reading reward programs and the ledger: a finding's tier, balances by team and by person, the split of
an entry among a team's members, and the payout rows organizers export.

Every figure is a sum of ledger entries (``committed`` ones for balances); a person's part of an entry is
the team's current split applied to it, to the cent, the leftover cents going one each to the members
with the largest weights (then the earliest to join), so the parts of an entry always add up to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Sum

from bounty.models import Competition, LedgerEntry, Membership, RewardProgram, Team, TeamShare

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Tier:
    name: str
    min_gap: float
    amount: Decimal


def program_tiers(program: RewardProgram) -> list[Tier]:
    """The severity tiers, smallest gap first."""
    tiers = [Tier(str(t["name"]), float(t["min_gap"]), Decimal(str(t["amount"]))) for t in program.tiers]
    return sorted(tiers, key=lambda t: t.min_gap)


def finding_tier(program: RewardProgram | None, public_gap: float) -> Tier | None:
    """The highest tier whose smallest gap the finding's public gap reaches (None below every tier)."""
    if program is None:
        return None
    reached = [t for t in program_tiers(program) if public_gap >= t.min_gap - 1e-12]
    return reached[-1] if reached else None


def competition_program(competition: Competition) -> RewardProgram | None:
    return RewardProgram.objects.filter(competition=competition).first()


@dataclass(frozen=True)
class Split:
    """Each member's weight (equal when the team set none, or its members changed since)."""

    members: list[User]
    weights: list[int]
    custom: bool

    def share(self, user: User) -> Decimal:
        total = sum(self.weights)
        for member, weight in zip(self.members, self.weights, strict=True):
            if member.pk == user.pk:
                return Decimal(weight) / Decimal(total) if total else Decimal(0)
        return Decimal(0)


def team_split(team: Team) -> Split:
    members = [
        m.user
        for m in Membership.objects.filter(team=team).select_related("user").order_by("joined_at", "id")
    ]
    weights = dict(TeamShare.objects.filter(team=team).values_list("user_id", "weight"))
    custom = bool(weights) and set(weights) == {m.pk for m in members}
    return Split(members, [weights[m.pk] if custom else 1 for m in members], custom)


def allocate(amount: Decimal, split: Split) -> list[tuple[User, Decimal]]:
    """``amount`` divided by the split, to the cent, adding up exactly (see the module)."""
    if not split.members:
        return []
    sign = -1 if amount < 0 else 1
    whole, total = abs(amount), sum(split.weights)
    parts = [
        (whole * w / total).quantize(CENT, rounding=ROUND_DOWN) if total else Decimal(0)
        for w in split.weights
    ]
    left = int((whole - sum(parts)) / CENT)
    order = sorted(range(len(parts)), key=lambda i: (-split.weights[i], i))
    for i in order[:left]:
        parts[i] += CENT
    return [(member, sign * part) for member, part in zip(split.members, parts, strict=True)]


def _sum(entries: Any) -> Decimal:
    """The entries' total, to the cent (SQLite's sums lose the places: 400, not 400.00)."""
    total = entries.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return Decimal(total).quantize(CENT)


@dataclass(frozen=True)
class TeamEarnings:
    team: Team
    committed: Decimal  # the balance: every committed entry
    paid: Decimal
    queued: Decimal  # awards waiting for an organizer (not in the balance)
    split: Split
    parts: list[tuple[User, Decimal]]  # each member's part of the balance

    @property
    def unpaid(self) -> Decimal:
        return self.committed - self.paid


def team_earnings(team: Team) -> TeamEarnings:
    entries = LedgerEntry.objects.filter(team=team)
    committed = entries.filter(status=LedgerEntry.Status.COMMITTED)
    split = team_split(team)
    parts: dict[int, Decimal] = {m.pk: Decimal(0) for m in split.members}
    for amount in committed.values_list("amount", flat=True):
        for user, part in allocate(amount, split):
            parts[user.pk] += part
    return TeamEarnings(
        team=team,
        committed=_sum(committed),
        paid=_sum(committed.filter(paid_at__isnull=False)),
        queued=_sum(entries.filter(status=LedgerEntry.Status.QUEUED)),
        split=split,
        parts=[(m, parts[m.pk]) for m in split.members],
    )


def competition_earnings(competition: Competition) -> list[TeamEarnings]:
    teams = Team.objects.filter(ledger_entries__competition=competition).distinct().order_by("name")
    return [team_earnings(team) for team in teams]


def team_entries(team: Team) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(team=team).select_related("submission").order_by("id"))


PAYOUT_COLUMNS = (
    "entry", "created_at", "team", "member", "kind", "submission", "status", "amount", "member_amount",
    "currency", "paid_at", "note",
)  # fmt: skip


def payout_rows(competition: Competition, program: RewardProgram) -> list[dict[str, Any]]:
    """One row per ledger entry and team member (the member's part), every entry of the competition."""
    rows = []
    splits: dict[int, Split] = {}
    entries = LedgerEntry.objects.filter(competition=competition).select_related("team").order_by("id")
    for entry in entries:
        split = splits.setdefault(entry.team_id, team_split(entry.team))
        parts: list[tuple[User | None, Decimal]] = [*allocate(entry.amount, split)] or [(None, entry.amount)]
        for user, part in parts:
            rows.append(
                {
                    "entry": str(entry.pk),
                    "created_at": entry.created_at.isoformat(),
                    "team": entry.team.name,
                    "member": user.username if user is not None else "",
                    "kind": entry.kind,
                    "submission": str(entry.submission_id or ""),
                    "status": entry.status,
                    "amount": entry.amount,
                    "member_amount": part,
                    "currency": program.currency,
                    "paid_at": entry.paid_at.isoformat() if entry.paid_at else "",
                    "note": entry.note,
                }
            )
    return rows


@dataclass(frozen=True)
class ProgramView:
    program: RewardProgram
    tiers: list[Tier]
    committed: Decimal  # awards and corrections committed so far
    remaining: Decimal  # what the pool still holds

    @property
    def currency(self) -> str:
        return self.program.currency


def program_view(program: RewardProgram) -> ProgramView:
    committed = _sum(LedgerEntry.objects.filter(competition_id=program.competition_id, status="committed"))
    return ProgramView(program, program_tiers(program), committed, program.pool - committed)
