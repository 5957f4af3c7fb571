"""Crashes and restarts: a worker killed with SIGKILL while it scores or while it commits, a pool child
lost mid-task, PostgreSQL and Redis restarted under a running worker. Every submission is retried
and decided exactly once, and the worker recovers by itself.

The test-only fault points (``bounty.lifecycle.faults``) make a worker pause at a named place so the
test can kill it there.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, QuotaLedger, Submission
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from tests.platform.conftest import login
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model
from tests.platform.recovery_support import (
    decided_once,
    kill_at,
    launch_worker,
    needs_services,
    require_local_services,
    restart_postgres,
    restart_redis,
)
from tests.platform.security_support import wait_until_decided

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def participant_client(make_user: Callable[..., User]) -> tuple[Competition, Client]:
    competition = engine_competition(organizer=make_user("grace"))
    user = make_user("ada")
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name="Lovelace", user=user)
    return competition, login(user)


def submit(web: Client, competition: Competition, index: int = 0) -> Submission:
    text = GROUP_TEXTS[index]
    upload = SimpleUploadedFile("m.skops", pair_model(text))
    response = web.post(
        reverse("submit", args=[competition.slug]), {"group_text": text, "model_file": upload}
    )
    assert response.status_code == 302
    return Submission.objects.latest("seq")


def reap(**options: int) -> str:
    out = StringIO()
    call_command("reap_stuck", lease_seconds=0, stdout=out, **options)
    return out.getvalue().strip()


def test_a_worker_killed_while_scoring_is_reaped_and_the_submission_decided_once(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    competition, web = participant_client(make_user)
    with launch_worker(tmp_path, env={"BOUNTY_FAULT_PAUSE_AT": "evaluate"}) as doomed:
        submission = submit(web, competition)
        kill_at(doomed, "evaluate")
    submission.refresh_from_db()
    assert (submission.status, submission.attempts) == ("running", 1)
    with launch_worker(tmp_path, purge=False):
        assert f'"requeued": [{submission.pk}]' in reap()
        wait_until_decided(submission.pk)
    decided_once(submission)
    assert submission.status == "accepted" and submission.attempts == 2
    assert QuotaLedger.objects.filter(team=submission.team, used=1).count() == 2  # still charged once


def test_a_worker_killed_while_committing_is_reaped_and_the_submission_decided_once(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    competition, web = participant_client(make_user)
    with launch_worker(tmp_path, env={"BOUNTY_FAULT_PAUSE_AT": "commit"}) as doomed:
        submission = submit(web, competition)
        kill_at(doomed, "commit")  # the engine saved the new list; the database never recorded it
    submission.refresh_from_db()
    competition.refresh_from_db()
    assert (submission.status, competition.head_version) == ("evaluated", 0)
    with launch_worker(tmp_path, purge=False):
        assert f'"drained": [{submission.pk}]' in reap()
        wait_until_decided(submission.pk)
        later = submit(web, competition, index=2)  # the list on disk and the database agree
        wait_until_decided(later.pk)
    decided_once(submission)
    decided_once(later)
    competition.refresh_from_db()
    assert submission.status == "accepted" and competition.head_version >= 1


def test_a_submission_out_of_attempts_fails_and_gets_its_quota_back(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    competition, web = participant_client(make_user)
    with launch_worker(tmp_path, env={"BOUNTY_FAULT_PAUSE_AT": "evaluate"}) as doomed:
        submission = submit(web, competition)
        kill_at(doomed, "evaluate")
    out = reap(max_attempts=1)
    assert f'"failed": [{submission.pk}]' in out
    submission.refresh_from_db()
    assert (submission.status, submission.reason) == ("failed", "")
    assert QuotaLedger.objects.filter(team=submission.team, used=0).count() == 2
    assert reap() == '{"requeued": [], "resent": [], "drained": [], "failed": []}'


@needs_services
def test_a_lost_pool_child_is_redelivered_at_once_and_decided_once(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    """acks_late + reject_on_worker_lost: Redis redelivers the message marked as redelivered, and the
    task takes over the submission its lost child left running, without waiting for the reaper."""
    require_local_services()
    competition, web = participant_client(make_user)
    env = {"BOUNTY_FAULT_PAUSE_AT": "evaluate", "BOUNTY_FAULT_ONCE_FILE": str(tmp_path / "paused-once")}
    with launch_worker(tmp_path, pool="prefork", env=env) as worker:
        submission = submit(web, competition)
        kill_at(worker, "evaluate", whole_worker=False)
        wait_until_decided(submission.pk)
        assert worker.process.poll() is None
    decided_once(submission)
    assert submission.attempts == 2


@needs_services
def test_the_worker_rides_out_a_postgres_restart_and_a_redis_restart(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    require_local_services()
    competition, web = participant_client(make_user)
    with launch_worker(tmp_path) as worker:
        first = submit(web, competition, index=0)
        wait_until_decided(first.pk)
        restart_postgres()
        second = submit(login(first.author), competition, index=2)
        wait_until_decided(second.pk)
        restart_redis()
        third = submit(login(first.author), competition, index=3)
        wait_until_decided(third.pk)
        assert worker.process.poll() is None, "the worker exited instead of reconnecting"
    for submission in (first, second, third):
        decided_once(submission)
