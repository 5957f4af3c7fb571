"""A worker whose whole process group dies mid-evaluation (the worker, its sandbox zygote and the child
running the model) is noticed within about a minute, with the default settings: its claim's lease stops
being renewed, the reaper that beat runs puts the submission back on the queue, and another worker
decides it, once, within 90 seconds of the kill.

The same test runs on the embedded default (SQLite and the filesystem broker) and on PostgreSQL + Redis:
``make test`` runs it in both suites.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from tests.platform.recovery_support import decided_once, launch_worker, start_beat
from tests.platform.security_support import wait_until_decided
from tests.platform.test_recovery import participant_client, submit

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
WITHIN_SECONDS = 90.0


def test_a_killed_worker_group_is_noticed_and_its_submission_decided_once_within_90_seconds(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    assert settings.BOUNTY_SCORING_LEASE_SECONDS == 45  # the defaults, nothing shortened for the test
    assert settings.CELERY_BEAT_SCHEDULE["reap-stuck-submissions"]["schedule"] == 15.0
    competition, web = participant_client(make_user)
    once = tmp_path / "paused-once"
    pause = {"BOUNTY_FAULT_PAUSE_AT": "evaluate", "BOUNTY_FAULT_ONCE_FILE": str(once)}
    with launch_worker(tmp_path, env=pause, own_group=True) as doomed:
        submission = submit(web, competition)
        doomed.wait_for(r"fault point evaluate reached", timeout=120)
        with launch_worker(tmp_path, purge=False) as survivor, start_beat(tmp_path):
            os.killpg(doomed.process.pid, signal.SIGKILL)  # the worker, its zygote, the model's child
            killed = time.monotonic()
            doomed.process.wait(timeout=30)
            decided = wait_until_decided(submission.pk, timeout=WITHIN_SECONDS + 60)
            took = time.monotonic() - killed
            assert "Task bounty.score_submission" in survivor.log()
    print(f"decided {took:.1f} s after the kill")  # shown with -s
    assert took <= WITHIN_SECONDS, f"decided {took:.0f} s after the kill"
    decided_once(decided)
    assert decided.status == "accepted" and decided.attempts == 2
