"""Findings and the payout ledger through the real lifecycle (in-process scoring): awards follow credit
through acceptances, a fix, a rollback and a disqualification; the pool is never over-committed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum

from bounty.errors import DomainError
from bounty.lifecycle import competition_rollback, team_disqualify
from bounty.lifecycle.rewards import (
    entry_decline,
    entry_mark_paid,
    entry_release,
    ledger_correct,
    program_set,
)
from bounty.models import Competition, Finding, LedgerEntry, Submission
from bounty.selectors.reports import team_finding_usage
from bounty.selectors.rewards import payout_rows, team_earnings
from bounty.services.shares import share_set
from bounty.services.teams import team_join
from bounty.services.terms import terms_accept
from tests.platform.organizer_support import run_script, score, team_member, weak_competition
from tests.platform.rewards_world import FINDING_TEXT, a_program, expected_balances, find

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer() -> User:
    return User.objects.create_user("organizer", "org@example.org", "pass-4-tests-only")


@pytest.fixture
def competition(organizer: User) -> Competition:
    return weak_competition(organizer)


def balances(competition: Competition) -> dict[int, Decimal]:
    committed = LedgerEntry.objects.filter(competition=competition, status="committed")
    sums = committed.values("team_id").annotate(total=Sum("amount"))
    return {row["team_id"]: row["total"] for row in sums if row["total"]}


def test_a_finding_is_accepted_published_rewarded_and_fixed(
    competition: Competition, organizer: User
) -> None:
    program = a_program(competition, organizer)
    finder = team_member(competition, "F")
    finding = score(find(competition, finder))
    assert finding.status == Submission.Status.ACCEPTED and finding.kind == "finding"
    assert "gap" in finding.figures and finding.public_gain is None
    published = Finding.objects.get(submission=finding)
    assert published.public_gap >= 0.05 and published.fixed_by is None
    _, decided = run_script(competition)
    fix = next(s for s in decided if s.group_text == FINDING_TEXT)
    published.refresh_from_db()
    assert published.fixed_by_id == fix.pk and published.gap_after is not None
    assert published.gap_after < published.public_gap
    assert balances(competition) == expected_balances(competition, program)
    (teams, columns, found), (_, _, fixes) = team_finding_usage(competition=competition)
    column = columns.index("marital_status")
    assert found[teams.index("Team F")][column] == 1 and fixes[teams.index(fix.team.name)][column] == 1
    assert sum(map(sum, found)) == 1 and sum(map(sum, fixes)) == 1


def test_credit_changes_reach_the_ledger_as_new_entries(competition: Competition, organizer: User) -> None:
    program = a_program(competition, organizer)
    finder = team_member(competition, "F")
    score(find(competition, finder))
    users, _ = run_script(competition)
    before = list(LedgerEntry.objects.filter(competition=competition).values_list("pk", "amount", "status"))
    competition_rollback(competition=competition, version=1, actor=organizer, reason="a leak")
    assert balances(competition) == expected_balances(competition, program)
    team_a = users["A"].memberships.get().team
    team_disqualify(competition=competition, team=team_a, actor=organizer, reason="shared an account")
    assert balances(competition) == expected_balances(competition, program)
    after = {
        pk: (amount, status)
        for pk, amount, status in LedgerEntry.objects.values_list("pk", "amount", "status")
    }
    for pk, amount, status in before:  # nothing written is ever changed but a queued award's status
        assert after[pk][0] == amount and (after[pk][1] == status or status == "queued")
    assert LedgerEntry.objects.filter(kind="reversal").exists()


def test_the_pool_is_never_over_committed_and_queued_awards_wait(
    competition: Competition, organizer: User
) -> None:
    program = a_program(competition, organizer, pool="120.00")
    finder = team_member(competition, "F")
    score(find(competition, finder))  # 100 or 400: the first award fits or waits
    run_script(competition)
    committed = LedgerEntry.objects.filter(competition=competition, status="committed").aggregate(
        s=Sum("amount")
    )
    assert committed["s"] <= program.pool
    queued = LedgerEntry.objects.filter(competition=competition, status="queued")
    assert queued.exists()
    with pytest.raises(DomainError) as refused:
        entry_release(competition=competition, entry_id=queued.first().pk, actor=organizer)  # type: ignore[union-attr]
    assert refused.value.code == "pool_exhausted"
    with pytest.raises(DomainError):
        a_program(competition, organizer, pool="10.00")  # below what is committed
    a_program(competition, organizer, pool="100000.00")
    waiting = list(LedgerEntry.objects.filter(competition=competition, status="queued"))
    entry_release(competition=competition, entry_id=waiting[0].pk, actor=organizer)
    for entry in waiting[1:]:
        entry_decline(competition=competition, entry_id=entry.pk, actor=organizer, reason="out of scope")
    statuses = set(
        LedgerEntry.objects.filter(pk__in=[e.pk for e in waiting]).values_list("status", flat=True)
    )
    assert statuses <= {"committed", "declined"}


def test_a_team_splits_its_earnings_and_the_payout_csv_adds_up(
    competition: Competition, organizer: User
) -> None:
    program = a_program(competition, organizer)
    finder = team_member(competition, "F")
    partner = User.objects.create_user("partner", "partner@example.org", "pass-4-tests-only")
    terms_accept(competition=competition, user=partner, terms_version=competition.terms_version)
    team = finder.memberships.get().team
    team_join(competition=competition, user=partner, invite_code=team.invite_code)
    score(find(competition, finder))
    equal = team_earnings(team)
    assert [part for _, part in equal.parts] == [equal.committed / 2] * 2
    share_set(team=team, user=partner, weights={finder.username: 2, partner.username: 1})
    ledger_correct(competition=competition, team=team, amount="0.01", actor=organizer, reason="rounding test")
    weighted = team_earnings(team)
    assert sum(part for _, part in weighted.parts) == weighted.committed
    assert weighted.parts[0][1] > weighted.parts[1][1]
    rows = payout_rows(competition, program)
    for entry in LedgerEntry.objects.filter(competition=competition):
        mine = [Decimal(r["member_amount"]) for r in rows if r["entry"] == str(entry.pk)]
        assert sum(mine) == entry.amount and len(mine) == 2
    paid = entry_mark_paid(competition=competition, entry_id=entry.pk, actor=organizer)
    assert paid.paid_at is not None
    with pytest.raises(DomainError):
        entry_mark_paid(competition=competition, entry_id=entry.pk, actor=organizer)


def test_a_program_refuses_bad_amounts_and_outsiders(competition: Competition, organizer: User) -> None:
    outsider = User.objects.create_user("out", "out@example.org", "pass-4-tests-only")
    with pytest.raises(DomainError) as refused:
        a_program(competition, outsider)
    assert refused.value.code == "forbidden"
    for field, value in (("pool", "12.345"), ("pool", "-5"), ("update_cap", "1.00"), ("currency", "euro")):
        kwargs = {
            "currency": "EUR", "pool": "100", "update_rate": "1", "update_floor": "5", "update_cap": "10",
            "tiers": [], "payout_date": competition.closes_at.date(), field: value,
        }  # fmt: skip
        with pytest.raises(DomainError) as bad:
            program_set(competition=competition, actor=organizer, **kwargs)  # type: ignore[arg-type]
        assert bad.value.field == field
