"""The reaper and the redelivered claim, on the database alone (the crash tests use real workers)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from bounty.lifecycle import stuck_reap
from bounty.lifecycle.lease import claim
from bounty.models import Competition, QuotaLedger, Submission
from bounty.services.quotas import quota_take
from bounty.tasks import reap_stuck

Status = Submission.Status
LEASE = timedelta(minutes=15)


@pytest.fixture
def make_submission(competition: Competition, ready_participant: User) -> Callable[..., Submission]:
    team = ready_participant.memberships.get().team
    Competition.objects.filter(pk=competition.pk).update(daily_quota=100, total_quota=100)
    competition.refresh_from_db()
    seq = iter(range(1, 100))

    def make(status: str, age: timedelta = timedelta(0), attempts: int = 0) -> Submission:
        then = timezone.now() - age
        submission = Submission.objects.create(
            competition=competition,
            team=team,
            author=ready_participant,
            seq=next(seq),
            group_tree={"col": "age", "op": ">=", "value": 60},
            model_sha256="b" * 64,
            model_format="skops",
            status=status,
            attempts=attempts,
            started_at=then if status != Status.QUEUED else None,
        )
        Submission.objects.filter(pk=submission.pk).update(created_at=then)
        submission.created_at = then  # the quota day is the creation day (an hour back may be yesterday)
        quota_take(submission=submission)
        return submission

    return make


def reap(captured: Any, **options: Any) -> dict[str, list[int]]:
    with captured(execute=True):
        return stuck_reap(lease=LEASE, max_attempts=3, **options).as_dict()


def test_only_submissions_stuck_past_the_lease_are_touched(
    make_submission: Callable[..., Submission],
    enqueued: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = timedelta(hours=1)
    running = make_submission(Status.RUNNING, old, attempts=1)
    fresh = make_submission(Status.RUNNING, timedelta(minutes=1), attempts=1)
    lost = make_submission(Status.QUEUED, old)
    waiting = [make_submission(Status.EVALUATED, old), make_submission(Status.EVALUATED, old)]
    report = reap(django_capture_on_commit_callbacks)
    assert report == {
        "requeued": [running.pk],
        "resent": [lost.pk],
        "drained": [waiting[0].pk],  # one task drains the competition in arrival order
        "failed": [],
    }
    assert sorted(enqueued) == sorted([running.pk, lost.pk, waiting[0].pk])
    statuses = dict(Submission.objects.values_list("pk", "status"))
    assert statuses[running.pk] == Status.QUEUED and statuses[fresh.pk] == Status.RUNNING


def test_out_of_attempts_is_a_platform_failure_and_the_quota_comes_back(
    make_submission: Callable[..., Submission],
    enqueued: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    doomed = make_submission(Status.RUNNING, timedelta(hours=1), attempts=3)
    assert reap(django_capture_on_commit_callbacks)["failed"] == [doomed.pk]
    doomed.refresh_from_db()
    assert (doomed.status, doomed.reason) == (Status.FAILED, "")
    assert "does not count" in doomed.message
    assert set(QuotaLedger.objects.filter(team=doomed.team).values_list("used", flat=True)) == {0}
    assert reap(django_capture_on_commit_callbacks) == {
        "requeued": [],
        "resent": [],
        "drained": [],
        "failed": [],
    }


def test_a_redelivered_message_may_take_over_a_running_submission_at_once(
    make_submission: Callable[..., Submission],
) -> None:
    running = make_submission(Status.RUNNING, timedelta(seconds=5), attempts=1)
    assert claim(running.pk) is None  # within the lease: someone may still be on it
    claimed = claim(running.pk, redelivered=True)
    assert claimed is not None and claimed.attempts == 2
    worn = make_submission(Status.RUNNING, timedelta(seconds=5), attempts=3)
    assert claim(worn.pk, redelivered=True) is None  # out of attempts: the reaper fails it


def test_the_beat_task_runs_the_reaper(
    make_submission: Callable[..., Submission], enqueued: list[int], settings: Any
) -> None:
    lost = make_submission(Status.QUEUED, timedelta(hours=2))
    assert reap_stuck() == {"requeued": [], "resent": [lost.pk], "drained": [], "failed": []}
    schedule = settings.CELERY_BEAT_SCHEDULE["reap-stuck-submissions"]
    assert schedule["task"] == "bounty.reap_stuck" and schedule["schedule"] > 0
