"""The state table of a submission's life and the one function that moves it
(``bounty.lifecycle.states``): only allowed moves happen, each once, with its effects."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import OperationalError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bounty.lifecycle import lease
from bounty.lifecycle.lease import Heartbeat, claim
from bounty.lifecycle.shards import chord_alive
from bounty.lifecycle.states import ENTERING, MOVES, Status, allowed, transition
from bounty.models import Competition, QuotaLedger, Submission
from bounty.services.quotas import quota_take
from bounty.storage import shard_mark, shard_write

pytestmark = pytest.mark.django_db
FINAL = {Status.ACCEPTED, Status.REJECTED, Status.FAILED, Status.CANCELLED, Status.DECLINED}


@pytest.fixture
def new_submission(competition: Competition, ready_participant: User) -> Callable[..., Submission]:
    team = ready_participant.memberships.get().team
    ready_participant.email = "ada@example.org"
    ready_participant.save()
    Competition.objects.filter(pk=competition.pk).update(daily_quota=1000, total_quota=1000)
    competition.refresh_from_db()

    def make(status: str = Status.QUEUED) -> Submission:
        submission = Submission.objects.create(
            competition=competition,
            team=team,
            author=ready_participant,
            seq=(Submission.objects.count() + 1),
            group_tree={"col": "age", "op": ">=", "value": 60},
            model_sha256="c" * 64,
            model_format="skops",
            status=status,
        )
        quota_take(submission=submission)
        return submission

    return make


def used(submission: Submission) -> int:
    return QuotaLedger.objects.get(team=submission.team, day__isnull=True).used


def test_every_state_has_its_moves_and_final_states_have_none() -> None:
    assert set(MOVES) == set(Status)
    assert {s for s, targets in MOVES.items() if not targets} == FINAL
    assert all(not targets & {Status.QUEUED} or source == Status.RUNNING for source, targets in MOVES.items())
    assert set(ENTERING) == FINAL  # every end records its time; the others have no effect


def test_a_move_the_table_does_not_allow_is_refused_before_anything_is_written(
    new_submission: Callable[..., Submission],
) -> None:
    submission = new_submission(Status.ACCEPTED)
    with pytest.raises(ValueError, match="no move"):
        transition(submission.pk, to=Status.QUEUED, source=[Status.ACCEPTED])
    with pytest.raises(ValueError, match="no move"):
        transition(submission.pk, to=Status.ACCEPTED, source=[Status.QUEUED])
    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED


def test_a_move_happens_once_with_its_effects(
    new_submission: Callable[..., Submission], django_capture_on_commit_callbacks: Any
) -> None:
    failed, cancelled, accepted = (
        new_submission(Status.RUNNING),
        new_submission(),
        new_submission("evaluated"),
    )
    assert used(failed) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert transition(failed.pk, to=Status.FAILED, source=[Status.RUNNING], message="ours")
        assert not transition(failed.pk, to=Status.FAILED, source=[Status.RUNNING])  # already moved
        assert transition(cancelled.pk, to=Status.CANCELLED, source=[Status.QUEUED])
        assert transition(accepted.pk, to=Status.ACCEPTED, source=[Status.EVALUATED], reason="accepted")
    assert used(failed) == 1  # two slots given back, once each; the accepted one keeps its slot
    for submission in (failed, cancelled, accepted):
        submission.refresh_from_db()
        assert submission.finished_at is not None
    subject = f"[{accepted.competition.title}] Submission #{accepted.pk}: accepted"
    assert [m.subject for m in mail.outbox] == [subject]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(list(Status)), st.sampled_from(list(Status))), max_size=12))
def test_any_sequence_of_attempted_moves_follows_the_table_and_refunds_at_most_once(
    new_submission: Callable[..., Submission], steps: list[tuple[Status, Status]]
) -> None:
    submission = new_submission()
    before = used(submission)
    path = [Status.QUEUED]
    for source, target in steps:
        if not allowed(source, target):
            with pytest.raises(ValueError):
                transition(submission.pk, to=target, source=[source])
            continue
        moved = transition(submission.pk, to=target, source=[source])
        assert moved == (path[-1] == source)
        if moved:
            path.append(target)
    submission.refresh_from_db()
    assert submission.status == path[-1]
    assert all(allowed(a, b) for a, b in itertools.pairwise(path))
    refunds = sum(ENTERING.get(s) is not None and ENTERING[s].refunds for s in path)
    assert refunds <= 1 and used(submission) == before - refunds


@pytest.mark.django_db(transaction=True)
def test_a_claims_lease_is_renewed_while_held_and_not_after_the_claim_is_gone(
    new_submission: Callable[..., Submission], settings: Any
) -> None:
    settings.BOUNTY_SCORING_LEASE_SECONDS = 3  # renewed every second
    submission = new_submission()
    claimed = claim(submission.pk)
    assert claimed is not None and claimed.attempts == 1 and claimed.heartbeat_at is None
    assert claim(submission.pk) is None  # held: nobody else claims it
    with Heartbeat(submission.pk, 1) as beat:
        time.sleep(1.6)
        first = Submission.objects.get(pk=submission.pk).heartbeat_at
        assert first is not None
        transition(submission.pk, to=Status.EVALUATED, source=[Status.RUNNING])
        beat.thread.join(timeout=5)
        assert not beat.thread.is_alive()  # the claim moved on: the renewals stopped by themselves
    assert Submission.objects.get(pk=submission.pk).heartbeat_at == first
    stale = new_submission()
    claim(stale.pk)
    Submission.objects.filter(pk=stale.pk).update(started_at=timezone.now() - timedelta(seconds=4))
    again = claim(stale.pk)  # silent for longer than the lease: a lost worker's, claimed again
    assert again is not None and again.attempts == 2


def test_a_chords_claim_lives_while_its_shards_wait_or_work_and_not_once_a_shard_worker_is_silent(
    data_dir: Path,
) -> None:
    label, count = "41-2", 3
    alive = chord_alive(label, count, patience=lambda: True)
    assert alive()  # every shard still waits in the queue
    shard_mark(claim=label, index=0)
    shard_write(claim=label, index=1, data=b"done")
    assert alive()  # one at work (its mark is fresh), one done, one waiting
    mark = data_dir / "shards" / label / "0.working"
    long_ago = time.time() - 60  # longer than the 45 s lease
    os.utime(mark, (long_ago, long_ago))
    assert not alive()  # shard 0's worker stopped touching its mark: let the claim's lease run out
    shard_write(claim=label, index=0, data=b"done")
    assert alive()  # it did finish after all
    assert not chord_alive(label, count, patience=lambda: False)()


def test_a_failed_renewal_is_tried_again_at_the_next_beat(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.BOUNTY_SCORING_LEASE_SECONDS = 3  # a beat every second
    calls: list[int] = []

    def flaky(submission_id: int, attempt: int) -> bool:
        calls.append(submission_id)
        if len(calls) == 1:
            raise OperationalError("the database is restarting")
        return len(calls) < 3  # renewed once, then the claim is gone

    monkeypatch.setattr(lease, "renew", flaky)
    with Heartbeat(7, 1) as beat:
        beat.thread.join(timeout=5)
    assert calls == [7, 7, 7] and not beat.thread.is_alive()
