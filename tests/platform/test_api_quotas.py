"""Team quotas, held by the database: a ledger row per (team, UTC day) and per team, taken with a
conditional update, given back on platform failures and cancellations only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F

from bounty.errors import DomainError
from bounty.lifecycle import submission_cancel, submission_create, submission_score
from bounty.models import Competition, Membership, QuotaLedger, Submission, Team, TermsAcceptance
from bounty.services.quotas import quota_refund
from tests.platform.api_support import (
    API,
    api_client,
    api_reset,  # noqa: F401  (a fixture)
    error_of,
    small_engine_competition,
    upload,
)

pytestmark = pytest.mark.usefixtures("api_reset")


def create(competition: Competition, user: User, content: bytes | None = None) -> Submission:
    return submission_create(
        competition=competition, user=user, group_text="age >= 60", model_file=upload(content)
    )


def ledger(team: Team) -> dict[str, int]:
    return {("total" if r.day is None else "today"): r.used for r in QuotaLedger.objects.filter(team=team)}


def ready(user: User, competition: Competition) -> Team:
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name=f"team-{user.username}")
    Membership.objects.create(team=team, competition=competition, user=user)
    return team


def test_the_daily_quota_refuses_the_next_submission_with_429(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    client = api_client(ready_participant)
    url = f"{API}/competitions/{competition.slug}/submissions"
    codes = [
        client.post(url, {"group_text": "age >= 60", "model": upload()}, format="multipart").status_code
        for _ in range(competition.daily_quota + 1)
    ]
    assert codes == [201] * competition.daily_quota + [429]
    response = client.post(url, {"group_text": "age >= 60", "model": upload()}, format="multipart")
    error = error_of(response)
    assert error["code"] == "quota_exceeded" and "today (UTC)" in error["message"]
    assert Submission.objects.count() == competition.daily_quota
    team = Submission.objects.first().team  # type: ignore[union-attr]
    assert ledger(team) == {"total": 3, "today": 3}
    quota = client.get(f"{API}/competitions/{competition.slug}/team").json()["quota"]
    assert quota == {"used_today": 3, "daily_limit": 3, "used_total": 3, "total_limit": 5}


def test_the_total_quota_counts_across_days(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    Competition.objects.filter(pk=competition.pk).update(daily_quota=10, total_quota=2)
    competition.refresh_from_db()
    first = create(competition, ready_participant)
    QuotaLedger.objects.filter(day__isnull=False).update(day=F("day") - timedelta(days=3))
    create(competition, ready_participant)
    with pytest.raises(DomainError) as error:
        create(competition, ready_participant)
    assert (error.value.code, error.value.status) == ("quota_exceeded", 429)
    assert "all 2 submissions" in error.value.message
    assert ledger(first.team)["total"] == 2


def test_a_refused_submission_leaves_no_row_no_number_and_no_slot(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    for _ in range(competition.daily_quota):
        create(competition, ready_participant)
    with pytest.raises(DomainError):
        create(competition, ready_participant)
    competition.refresh_from_db()
    assert competition.next_seq == competition.daily_quota + 1
    assert QuotaLedger.objects.get(day__isnull=True).used == competition.daily_quota


def test_the_database_refuses_a_ledger_above_its_limit(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    create(competition, ready_participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaLedger.objects.filter(day__isnull=True).update(used=F("limit") + 1)


def test_the_database_keeps_one_row_per_team_and_day_and_one_total(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    team = create(competition, ready_participant).team
    row = QuotaLedger.objects.get(team=team, day__isnull=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaLedger.objects.create(team=team, day=row.day, used=0, limit=9)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaLedger.objects.create(team=team, day=None, used=0, limit=9)


def test_a_lowered_quota_applies_to_the_next_submission(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    create(competition, ready_participant)
    create(competition, ready_participant)
    Competition.objects.filter(pk=competition.pk).update(daily_quota=2)
    competition.refresh_from_db()
    with pytest.raises(DomainError):
        create(competition, ready_participant)


def test_cancelling_gives_the_slot_back(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    submissions = [create(competition, ready_participant) for _ in range(competition.daily_quota)]
    submission_cancel(submission=submissions[0], user=ready_participant)
    assert ledger(submissions[0].team) == {"total": 2, "today": 2}
    create(competition, ready_participant)


def test_a_refund_goes_to_the_day_the_submission_was_made_and_never_below_zero(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    submission = create(competition, ready_participant)
    assert QuotaLedger.objects.get(day__isnull=False).day == submission.created_at.astimezone(UTC).date()
    quota_refund(submission=submission)
    quota_refund(submission=submission)
    assert ledger(submission.team) == {"total": 0, "today": 0}


def test_the_quota_day_is_the_utc_day() -> None:
    from zoneinfo import ZoneInfo

    late_in_new_york = datetime(2026, 1, 1, 22, 30, tzinfo=ZoneInfo("America/New_York"))
    assert QuotaLedger.day_of(late_in_new_york).isoformat() == "2026-01-02"


def test_a_platform_failure_refunds_the_slot(
    make_user: Any, enqueued: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    competition = small_engine_competition(organizer=make_user("grace"))
    user = make_user("ada")
    team = ready(user, competition)
    submission = create(competition, user)
    assert ledger(team) == {"total": 1, "today": 1}

    def broken_disk(sha256: str) -> bytes:
        raise OSError("disk gone")

    monkeypatch.setattr("bounty.lifecycle.evaluate.artifact_read", broken_disk)
    submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert ledger(team) == {"total": 0, "today": 0}


def test_a_rejection_caused_by_the_participant_keeps_the_slot(make_user: Any, enqueued: list[int]) -> None:
    competition = small_engine_competition(organizer=make_user("grace"))
    user = make_user("ada")
    team = ready(user, competition)
    submission = create(competition, user, content=b"not a model at all")  # the service takes any bytes
    submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.status, submission.reason) == (Submission.Status.REJECTED, "invalid_model")
    assert ledger(team) == {"total": 1, "today": 1}


def test_the_migration_fills_the_ledgers_from_earlier_submissions(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    from importlib import import_module

    backfill = import_module("bounty.migrations.0002_quota_ledger").backfill
    kept = [create(competition, ready_participant) for _ in range(3)]
    Submission.objects.filter(pk=kept[0].pk).update(status=Submission.Status.CANCELLED)
    Submission.objects.filter(pk=kept[1].pk).update(created_at=kept[1].created_at - timedelta(days=2))
    QuotaLedger.objects.all().delete()
    backfill(apps, None)
    rows = {r.day: (r.used, r.limit) for r in QuotaLedger.objects.filter(team=kept[0].team)}
    today = kept[2].created_at.astimezone(UTC).date()
    assert rows == {None: (2, 5), today: (1, 3), today - timedelta(days=2): (1, 3)}


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submits_against_a_quota_of_five_let_exactly_five_through(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    Competition.objects.filter(pk=competition.pk).update(daily_quota=5, total_quota=5)
    competition.refresh_from_db()
    url = f"{API}/competitions/{competition.slug}/submissions"
    clients = [api_client(ready_participant) for _ in range(20)]  # one token, made before the race

    def one(index: int) -> int:
        try:
            data = {"group_text": f"age >= {index}", "model": upload()}
            return int(clients[index].post(url, data, format="multipart").status_code)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = sorted(pool.map(one, range(20)))
    assert codes == [201] * 5 + [429] * 15
    assert Submission.objects.count() == 5
    assert sorted(Submission.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert {r.used for r in QuotaLedger.objects.all()} == {competition.daily_quota}


@pytest.mark.django_db(transaction=True)
def test_racing_takers_of_a_fresh_ledger_get_exactly_the_quota(
    competition: Competition, ready_participant: User
) -> None:
    """Ten transactions at once on a team with no ledger rows yet: they race to create the rows
    (the unique constraint picks one) and to take slots (the conditional update counts)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection
    from django.utils import timezone

    from bounty.services.quotas import quota_take

    team = Team.objects.get(competition=competition)
    barrier = Barrier(10)

    def one(_: int) -> bool:
        try:
            barrier.wait()
            with transaction.atomic():
                quota_take(
                    submission=Submission(competition=competition, team=team, created_at=timezone.now())
                )
            return True
        except DomainError:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        taken = list(pool.map(one, range(10)))
    assert taken.count(True) == competition.daily_quota
    assert QuotaLedger.objects.filter(team=team).count() == 2
    assert {r.used for r in QuotaLedger.objects.filter(team=team)} == {competition.daily_quota}
