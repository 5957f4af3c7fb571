"""The payout ledger's one writer of awards and reversals: ``ledger_sync``.

Each accepted submission has a *due* amount: its award while its credit holds (an update that counts in
the current model, a finding of a team not disqualified), nothing once it went. The award is fixed by the
first entry written for it (the program at that time); later changes to the program apply to later
acceptances. ``ledger_sync`` compares what is due with the entries and appends the difference:

- more due than written: an award, ``committed`` if the pool has room, else ``queued`` for an organizer;
- less due: the submission's queued awards are withdrawn, then a ``reversal`` takes back what was committed.

A declined award counts as written (declining it is the organizer's decision on that credit). Call it
under the competition's lock, in the transaction of the change of credit (decision, rollback,
disqualification), so the ledger never disagrees with the model.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone

from bounty.models import Competition, Disqualification, Finding, LedgerEntry, RewardProgram, Submission
from bounty.selectors.rewards import finding_tier

CENT = Decimal("0.01")
Kind, Status = LedgerEntry.Kind, LedgerEntry.Status


def update_award(program: RewardProgram, public_gain: float | None) -> Decimal:
    """Rate x the public gain in percentage points, between the floor and the cap, down to the cent."""
    points = Decimal(repr(public_gain or 0.0)) * 100
    amount = (program.update_rate * points).quantize(CENT, rounding=ROUND_DOWN)
    return min(program.update_cap, max(program.update_floor, amount))


def finding_award(program: RewardProgram, finding: Finding) -> Decimal:
    """The finding's tier's amount (nothing below every tier, or for a known slice unless the program
    rewards those)."""
    tier = finding_tier(program, finding.public_gap)
    if tier is None or (finding.known and not program.known_rewarded):
        return Decimal(0)
    return tier.amount


@dataclass
class Written:
    committed: Decimal = Decimal(0)
    queued: list[LedgerEntry] | None = None
    declined: Decimal = Decimal(0)
    award: Decimal | None = None  # the amount of its first award entry


def committed_total(competition: Competition) -> Decimal:
    total = LedgerEntry.objects.filter(competition=competition, status=Status.COMMITTED).aggregate(
        s=Sum("amount")
    )["s"]
    return Decimal(total or 0).quantize(CENT)  # to the cent on SQLite too


def _written(competition: Competition) -> dict[int, Written]:
    written: dict[int, Written] = defaultdict(Written)
    entries = LedgerEntry.objects.filter(competition=competition, submission__isnull=False).exclude(
        kind=Kind.CORRECTION
    )
    for entry in entries.order_by("id"):
        assert entry.submission_id is not None
        w = written[entry.submission_id]
        if entry.kind != Kind.REVERSAL and w.award is None:
            w.award = entry.amount
        if entry.status == Status.COMMITTED:
            w.committed += entry.amount
        elif entry.status == Status.QUEUED:
            w.queued = [*(w.queued or []), entry]
        elif entry.status == Status.DECLINED:
            w.declined += entry.amount
    return written


def _dues(competition: Competition, program: RewardProgram) -> list[tuple[Submission, Decimal, bool]]:
    """(submission, its award, whether its credit holds) for every accepted submission, in arrival order."""
    out_teams = set(
        Disqualification.objects.filter(competition=competition).values_list("team_id", flat=True)
    )
    accepted = (
        competition.submissions.filter(status=Submission.Status.ACCEPTED)
        .select_related("standing", "finding")
        .order_by("seq")
    )
    dues = []
    for submission in accepted:
        if submission.is_finding:
            finding = getattr(submission, "finding", None)
            if finding is None:
                continue
            dues.append((submission, finding_award(program, finding), submission.team_id not in out_teams))
        else:
            standing = getattr(submission, "standing", None)
            holds = standing is None or standing.counts
            dues.append((submission, update_award(program, submission.public_gain), holds))
    return dues


def ledger_sync(*, competition: Competition, note: str, actor: User | None = None) -> int:
    """Append the entries that bring the ledger in line with the credit (see the module). Returns how
    many entries it wrote or withdrew."""
    program = RewardProgram.objects.filter(competition=competition).first()
    if program is None:
        return 0
    written = _written(competition)
    room = program.pool - committed_total(competition)
    changes = 0
    for submission, award, holds in _dues(competition, program):
        w = written.get(submission.pk, Written())
        due = (w.award if w.award is not None else award) if holds else Decimal(0)
        queued = sum((e.amount for e in w.queued or []), Decimal(0))
        if due == 0:
            changes += _withdraw(w.queued or [], actor)
            if w.committed > 0:
                _entry(submission, Kind.REVERSAL, -w.committed, Status.COMMITTED, note, actor)
                room += w.committed
                changes += 1
            continue
        missing = due - w.committed - queued - w.declined
        if missing > 0:
            fits = missing <= room
            kind = Kind.FINDING if submission.is_finding else Kind.UPDATE
            _entry(submission, kind, missing, Status.COMMITTED if fits else Status.QUEUED, note, actor)
            room -= missing if fits else 0
            changes += 1
    return changes


def _withdraw(queued: list[LedgerEntry], actor: User | None) -> int:
    for entry in queued:
        entry.status, entry.resolved_at, entry.resolved_by = Status.WITHDRAWN, timezone.now(), actor
        entry.save(update_fields=["status", "resolved_at", "resolved_by"])
    return len(queued)


def _entry(
    submission: Submission, kind: str, amount: Decimal, status: str, note: str, actor: User | None
) -> LedgerEntry:
    return LedgerEntry.objects.create(
        competition_id=submission.competition_id,
        team_id=submission.team_id,
        submission=submission,
        kind=kind,
        amount=amount,
        status=status,
        note=note[:300],
        actor=actor,
    )
