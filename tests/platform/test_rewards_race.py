"""The payout ledger under load, on PostgreSQL with two worker processes: pairs and a finding decided by
the workers while the organizer approves held pairs, rolls back and disqualifies a team through the
console, and a team changes its split through its Earnings page. Throughout, the committed awards never
exceed the pool; at the end the ledger equals a recomputation from the head version and the findings,
each person's part adds up, and the console's payout CSV is the ledger, entry by entry."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, Disqualification, Finding, LedgerEntry, RewardProgram, Submission, Team
from bounty.selectors.rewards import team_earnings
from bounty.services.teams import team_join
from bounty.services.terms import terms_accept
from tests.platform.conftest import LiveWorker, login, model_upload
from tests.platform.engine_world import pair_model
from tests.platform.organizer_support import team_member, weak_competition
from tests.platform.rewards_world import FINDING_TEXT, TIERS, expected_balances, later

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
TIGHT_POOL = Decimal("1800.00")  # the finding (400) and the fix (1500, the cap) do not both fit
PAIRS = (  # in arrival order; the second fixes the finding
    ("C", "age >= 50"),
    ("B", FINDING_TEXT),
    ("A", 'education in ["Bachelors", "Masters", "Doctorate"]'),
    ("C", 'relationship == "Own-child"'),
    ("A", "hours_per_week > 45"),
    ("B", 'workclass in ["Self-emp-inc", "Self-emp-not-inc"]'),
)
SETTLED = {"accepted", "rejected", "cancelled"}


def program_form(pool: Decimal) -> dict[str, str]:
    return {
        "currency": "EUR",
        "pool": str(pool),
        "update_rate": "250.00",
        "update_floor": "50.00",
        "update_cap": "1500.00",
        "tiers": "\n".join(f"{t['name']}, {t['min_gap']}, {t['amount']}" for t in TIERS),
        "known_rewarded": "on",
        "payout_date": later(60).isoformat(),
        "scope": "The model's decisions on the census table.",
        "disclosure": "Publish a finding once it is fixed.",
    }


def committed(competition: Competition) -> Decimal:
    rows = LedgerEntry.objects.filter(competition=competition, status="committed")
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def confirmed_post(web: Client, name: str, slug: str, data: dict[str, Any]) -> None:
    """A console action that asks to confirm the head it previewed: retried when the head moved."""
    for _ in range(50):
        head = Competition.objects.get(slug=slug).head_version
        response = web.post(reverse(name, args=[slug]), {**data, "confirm": "1", "head": head})
        if response.status_code == 302:
            return
        assert response.status_code == 409, response.content[:400]
    raise AssertionError(f"{name} never found a still head")


class Organizer:
    """The organizer's side of the race: approve what waits, roll back once, disqualify team C once."""

    def __init__(self, competition: Competition, org: User, teams: dict[str, Team]) -> None:
        self.competition, self.org, self.teams = competition, org, teams
        self.rolled_back = self.disqualified = False
        self.approved = 0

    def run(self, stop: threading.Event) -> None:
        web, slug = login(self.org), self.competition.slug
        try:
            while not stop.is_set():
                for submission in Submission.objects.filter(
                    competition=self.competition, status="awaiting_approval"
                ).order_by("seq"):
                    url = reverse("console:approve", args=[slug, submission.pk])
                    if web.post(url, {"note": "looked at it"}).status_code == 302:
                        self.approved += 1
                head = Competition.objects.get(pk=self.competition.pk).head_version
                if not self.rolled_back and head >= 3:
                    confirmed_post(web, "console:rollback", slug, {"version": head - 1, "reason": "a leak"})
                    self.rolled_back = True
                c_accepted = Submission.objects.filter(team=self.teams["C"], status="accepted").exists()
                if self.rolled_back and not self.disqualified and c_accepted:
                    data = {"team": self.teams["C"].pk, "reason": "shared an account"}
                    confirmed_post(web, "console:disqualify", slug, data)
                    self.disqualified = True
                time.sleep(0.1)
        finally:
            connection.close()


def change_split(slug: str, member: User, names: list[str], stop: threading.Event) -> int:
    web, changes = login(member), 0
    try:
        while not stop.is_set():
            weights = {f"w_{name}": str(1 + (changes + i) % 3) for i, name in enumerate(names)}
            assert web.post(reverse("earnings", args=[slug]), weights).status_code == 302
            changes += 1
            time.sleep(0.15)
        return changes
    finally:
        connection.close()


def watch_pool(competition: Competition, stop: threading.Event, seen: list[Decimal]) -> None:
    try:
        while not stop.is_set():
            seen.append(committed(competition))
            time.sleep(0.05)
    finally:
        connection.close()


def submit_pairs(competition: Competition, users: dict[str, User]) -> None:
    for team, text in PAIRS:  # one after another: the arrival order is the list's
        response = login(users[team]).post(
            reverse("submit", args=[competition.slug]),
            {"group_text": text, "model_file": model_upload(pair_model(text))},
        )
        if response.status_code != 302:  # refused only once the organizer disqualified the team
            assert Disqualification.objects.filter(team__name=f"Team {team}").exists(), response.content[:400]
        time.sleep(0.3)
    connection.close()


def test_the_ledger_follows_credit_through_racing_approvals_rollbacks_and_split_changes(
    two_workers: list[LiveWorker],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the race runs against PostgreSQL (CI runs it there)")
    org = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(org)
    slug, web = competition.slug, login(org)
    assert web.post(reverse("console:program", args=[slug]), program_form(TIGHT_POOL)).status_code == 302
    users = {team: team_member(competition, team) for team in ("A", "B", "C", "F")}
    partner = User.objects.create_user("partner", "partner@example.org", "pass-4-tests-only")
    terms_accept(competition=competition, user=partner, terms_version=competition.terms_version)
    teams = {name: user.memberships.get().team for name, user in users.items()}
    team_join(competition=competition, user=partner, invite_code=teams["F"].invite_code)

    finding_page = reverse("find", args=[slug])
    assert login(users["F"]).post(finding_page, {"group_text": FINDING_TEXT}).status_code == 302
    finding = Submission.objects.get(competition=competition, kind="finding")
    wait_until(lambda: Submission.objects.get(pk=finding.pk).status in SETTLED, "the finding")
    assert Submission.objects.get(pk=finding.pk).status == "accepted"
    manual = {"enabled": "on", "reason": "final week"}
    assert web.post(reverse("console:manual_approval", args=[slug]), manual).status_code == 302

    organizer, stop, seen = Organizer(competition, org, teams), threading.Event(), []
    with ThreadPoolExecutor(max_workers=4) as pool:
        racing = [
            pool.submit(organizer.run, stop),
            pool.submit(change_split, slug, partner, [users["F"].username, partner.username], stop),
            pool.submit(watch_pool, competition, stop, seen),
        ]
        pool.submit(submit_pairs, competition, users).result()
        wait_until(
            lambda: (
                organizer.disqualified
                and not Submission.objects.filter(
                    competition=competition, status__in=Submission.PENDING
                ).exists()
            ),
            "every pair decided and approved",
            timeout=600,
        )
        stop.set()
        splits = racing[1].result()
        for future in racing:
            future.result()
    assert organizer.rolled_back and organizer.approved >= 2 and splits >= 2
    program = RewardProgram.objects.get(competition=competition)
    assert seen and max(seen) <= TIGHT_POOL and committed(competition) <= TIGHT_POOL
    assert LedgerEntry.objects.filter(competition=competition, status="queued").exists()
    assert LedgerEntry.objects.filter(competition=competition, kind="reversal").exists()

    release_everything(web, competition)
    program.refresh_from_db()
    assert_fix_linked(competition, finding)
    assert balances(competition) == expected_balances(competition, program)
    assert_people_and_payouts_match(web, competition, teams)


def release_everything(web: Client, competition: Competition) -> None:
    """Raise the pool through the console and release every queued award there."""
    slug = competition.slug
    assert (
        web.post(reverse("console:program", args=[slug]), program_form(Decimal("100000"))).status_code == 302
    )
    for entry in LedgerEntry.objects.filter(competition=competition, status="queued"):
        url = reverse("console:ledger_entry", args=[slug, entry.pk, "release"])
        assert web.post(url).status_code == 302
    assert not LedgerEntry.objects.filter(competition=competition, status="queued").exists()


def balances(competition: Competition) -> dict[int, Decimal]:
    rows = LedgerEntry.objects.filter(competition=competition, status="committed").values("team_id")
    return {r["team_id"]: r["total"] for r in rows.annotate(total=Sum("amount")) if r["total"]}


def assert_fix_linked(competition: Competition, finding: Submission) -> None:
    published = Finding.objects.get(submission=finding)
    first_fix = (
        Submission.objects.filter(competition=competition, kind="pair", group_text=FINDING_TEXT)
        .order_by("seq")
        .first()
    )
    assert first_fix is not None and first_fix.status == "accepted"
    assert published.fixed_by_id == first_fix.pk
    assert published.gap_after is not None and published.gap_after < published.public_gap


def assert_people_and_payouts_match(web: Client, competition: Competition, teams: dict[str, Team]) -> None:
    response = web.get(reverse("console:export_payouts", args=[competition.slug]))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_entry: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_entry[row["entry"]].append(row)
    ledger = {str(e.pk): e for e in LedgerEntry.objects.filter(competition=competition)}
    assert set(by_entry) == set(ledger)
    for pk, entry in ledger.items():
        parts = by_entry[pk]
        assert {(r["kind"], r["status"], Decimal(r["amount"])) for r in parts} == {
            (entry.kind, entry.status, entry.amount)
        }
        assert sum(Decimal(r["member_amount"]) for r in parts) == entry.amount
    for team in teams.values():
        earnings = team_earnings(team)
        per_member: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            if row["team"] == team.name and row["status"] == "committed":
                per_member[row["member"]] += Decimal(row["member_amount"])
        assert sum(part for _, part in earnings.parts) == earnings.committed
        assert {user.username: part for user, part in earnings.parts if part} == {
            member: total for member, total in per_member.items() if total
        }
