"""Organizer actions on a competition's reward program and ledger, under the competition's decision lock
so they interleave with decisions one at a time and the pool is checked against the ledger as it stands.

``program_set`` writes the program (the pool never below what is committed) and brings the ledger in
line with it; ``entry_release`` commits a queued award when the pool has room; ``entry_decline`` refuses
it; ``ledger_correct`` adds a signed correction; ``entry_mark_paid`` marks a committed entry paid, once.
Each is recorded in the audit log with the actor and the reason where one is asked.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bounty.errors import DomainError
from bounty.lifecycle.lock import competition_lock
from bounty.models import Competition, LedgerEntry, RewardProgram, Team
from bounty.services.audit import audit_record
from bounty.services.ledger import committed_total, ledger_sync
from bounty.services.organizer_guards import organizer_required, reason_required

Status = LedgerEntry.Status
MAX_AMOUNT = Decimal("9999999999.99")
MAX_TIERS = 10


def money(value: object, *, field: str, allow_negative: bool = False) -> Decimal:
    """A decimal amount to the cent, from text or a number (never through a float)."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(
            "invalid_data", f"{value!r} is not an amount, such as 250 or 99.50.", field=field
        ) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise DomainError("invalid_data", "Give amounts to the cent at most, such as 99.50.", field=field)
    if abs(amount) > MAX_AMOUNT or (amount < 0 and not allow_negative):
        raise DomainError("invalid_data", "Give an amount between 0 and 9,999,999,999.99.", field=field)
    return amount


def _tiers(tiers: object) -> list[dict[str, Any]]:
    if not isinstance(tiers, list) or len(tiers) > MAX_TIERS:
        raise DomainError("invalid_data", f"Give at most {MAX_TIERS} severity tiers.", field="tiers")
    out, names = [], set()
    for i, tier in enumerate(tiers):
        if not isinstance(tier, dict) or not str(tier.get("name", "")).strip():
            raise DomainError("invalid_data", f"Tier {i + 1} needs a name.", field="tiers")
        name = str(tier["name"]).strip()[:40]
        try:
            gap = float(tier.get("min_gap"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            gap = -1.0
        if not 0 < gap <= 1 or name.lower() in names:
            raise DomainError(
                "invalid_data",
                f"Tier {name!r} needs its own name and a smallest gap in (0, 1].",
                field="tiers",
            )
        names.add(name.lower())
        amount = money(tier.get("amount"), field="tiers")
        out.append({"name": name, "min_gap": gap, "amount": f"{amount:.2f}"})
    return sorted(out, key=lambda t: t["min_gap"])


def program_set(
    *,
    competition: Competition,
    actor: User,
    currency: str,
    pool: object,
    update_rate: object,
    update_floor: object,
    update_cap: object,
    tiers: object,
    payout_date: date,
    known_rewarded: bool = False,
    scope: str = "",
    disclosure: str = "",
) -> RewardProgram:
    """Create or change the competition's reward program; awards due under it are written at once."""
    organizer_required(competition=competition, actor=actor)
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise DomainError(
            "invalid_data", "Give the currency as its 3-letter code, such as USD.", field="currency"
        )
    floor, cap, pool_amount = (
        money(v, field=f)
        for v, f in ((update_floor, "update_floor"), (update_cap, "update_cap"), (pool, "pool"))
    )
    if cap < floor:
        raise DomainError("invalid_data", "The cap must be at least the floor.", field="update_cap")
    fields: dict[str, Any] = {
        "currency": code,
        "pool": pool_amount,
        "update_rate": money(update_rate, field="update_rate"),
        "update_floor": floor,
        "update_cap": cap,
        "tiers": _tiers(tiers),
        "payout_date": payout_date,
        "known_rewarded": bool(known_rewarded),
        "scope": (scope or "").strip()[:20000],
        "disclosure": (disclosure or "").strip()[:20000],
    }
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        committed = committed_total(locked)
        if pool_amount < committed:
            raise DomainError(
                "pool_below_committed",
                f"{committed:.2f} {code} is committed already; the pool cannot be smaller.",
                field="pool",
            )
        program, created = RewardProgram.objects.update_or_create(competition=locked, defaults=fields)
        audit_record(
            action="program.set",
            actor=actor,
            competition=locked,
            payload={
                **{k: str(v) for k, v in fields.items() if k not in ("scope", "disclosure")},
                "created": created,
            },
        )
        ledger_sync(competition=locked, note="program set", actor=actor)
    return program


def _locked_entry(entry_id: int, competition: Competition) -> LedgerEntry:
    entry = LedgerEntry.objects.filter(pk=entry_id, competition=competition).first()
    if entry is None:
        raise DomainError("not_found", "There is no such ledger entry.")
    return entry


def _room(competition: Competition) -> Decimal:
    program = RewardProgram.objects.get(competition=competition)
    return program.pool - committed_total(competition)


def entry_release(*, competition: Competition, entry_id: int, actor: User) -> LedgerEntry:
    """Commit a queued award, when the pool has room for it."""
    organizer_required(competition=competition, actor=actor)
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        entry = _locked_entry(entry_id, locked)
        if entry.status != Status.QUEUED:
            raise DomainError("not_queued", "Only a queued award can be released or declined.")
        if entry.amount > _room(locked):
            raise DomainError("pool_exhausted", "The pool has no room for this award; raise the pool first.")
        _resolve(entry, Status.COMMITTED, actor)
        audit_record(action="ledger.release", actor=actor, competition=locked, payload={"entry_id": entry.pk})
    return entry


def entry_decline(*, competition: Competition, entry_id: int, actor: User, reason: str) -> LedgerEntry:
    organizer_required(competition=competition, actor=actor)
    reason = reason_required(reason)
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        entry = _locked_entry(entry_id, locked)
        if entry.status != Status.QUEUED:
            raise DomainError("not_queued", "Only a queued award can be released or declined.")
        _resolve(entry, Status.DECLINED, actor)
        audit_record(
            action="ledger.decline",
            actor=actor,
            competition=locked,
            payload={"entry_id": entry.pk, "reason": reason},
        )
    return entry


def _resolve(entry: LedgerEntry, status: str, actor: User) -> None:
    entry.status, entry.resolved_at, entry.resolved_by = status, timezone.now(), actor
    entry.save(update_fields=["status", "resolved_at", "resolved_by"])


def ledger_correct(
    *, competition: Competition, team: Team, amount: object, actor: User, reason: str
) -> LedgerEntry:
    """A signed correction of a team's balance (a positive one needs room in the pool)."""
    organizer_required(competition=competition, actor=actor)
    reason = reason_required(reason)
    value = money(amount, field="amount", allow_negative=True)
    if value == 0:
        raise DomainError("invalid_data", "A correction needs an amount other than zero.", field="amount")
    if team.competition_id != competition.pk:
        raise DomainError("not_found", "There is no such team in this competition.")
    with transaction.atomic():
        locked = competition_lock(competition.pk)
        if not RewardProgram.objects.filter(competition=locked).exists():
            raise DomainError("no_program", "Set up the reward program first.")
        if value > _room(locked):
            raise DomainError("pool_exhausted", "The pool has no room for this correction.", field="amount")
        entry = LedgerEntry.objects.create(
            competition=locked,
            team=team,
            kind=LedgerEntry.Kind.CORRECTION,
            amount=value,
            note=reason[:300],
            actor=actor,
        )
        audit_record(
            action="ledger.correct",
            actor=actor,
            competition=locked,
            payload={"entry_id": entry.pk, "team_id": team.pk, "amount": str(value), "reason": reason},
        )
    return entry


def entry_mark_paid(*, competition: Competition, entry_id: int, actor: User) -> LedgerEntry:
    organizer_required(competition=competition, actor=actor)
    with transaction.atomic():
        entry = _locked_entry(entry_id, competition)
        marked = LedgerEntry.objects.filter(
            pk=entry.pk, status=Status.COMMITTED, paid_at__isnull=True
        ).update(paid_at=timezone.now(), paid_by=actor)
        if not marked:
            raise DomainError("not_payable", "Only a committed entry not yet paid can be marked paid.")
        audit_record(
            action="ledger.paid", actor=actor, competition=competition, payload={"entry_id": entry.pk}
        )
    entry.refresh_from_db()
    return entry
