"""``bounty submit --wait`` against a live server and a real worker: it sees a decision within a
poll of the server making it (the polls are at most a second apart), and when the pair waits for an
organizer's approval it says so and exits with its own code instead of waiting for ever."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from bounty_client import session as client_session
from bounty_client.api import Client
from bounty_client.cli import main as bounty
from bounty_client.commands import AWAITING_APPROVAL, OK
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from bounty.lifecycle import competition_set_manual_approval
from bounty.models import Competition, Submission
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import pair_model
from tests.platform.organizer_support import SCRIPT, team_member, weak_competition

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Recorder:
    """What the client did while waiting: the waits it chose and when each poll was answered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.waits: list[float] = []
        self.answers: list[tuple[datetime, str]] = []
        real_delays, real_get = client_session.poll_delays, Client.submission

        def delays(cap: float = client_session.POLL_SECONDS) -> Iterator[float]:
            for delay in real_delays(cap):
                self.waits.append(delay)
                yield delay

        def get(client: Client, submission_id: int) -> dict[str, Any]:
            answer = real_get(client, submission_id)
            self.answers.append((now(), str(answer.get("status"))))
            return answer

        monkeypatch.setattr(client_session, "poll_delays", delays)
        monkeypatch.setattr(Client, "submission", get)


def now() -> datetime:
    from django.utils import timezone

    return timezone.now()


@pytest.fixture
def cli(live_server: Any, tmp_path: Path) -> Callable[..., tuple[int, str, str]]:
    def run(user: User, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        token = Token.objects.get_or_create(user=user)[0].key
        code = bounty(["--server", str(live_server), "--token", token, *args], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    return run


def submit_args(competition: Competition, text: str, tmp_path: Path) -> list[str]:
    model = tmp_path / f"model-{abs(hash(text))}.skops"
    model.write_bytes(pair_model(text))
    return ["submit", competition.slug, "--group", text, "--model", str(model), "--wait"]


def test_submit_wait_sees_the_decision_within_a_second_and_exits_3_while_an_organizer_decides(
    live_worker: LiveWorker,
    cli: Callable[..., tuple[int, str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    organizer = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(organizer)
    user = team_member(competition, "C")
    recorder = Recorder(monkeypatch)

    code, out, err = cli(user, *submit_args(competition, SCRIPT[0][1], tmp_path))
    returned = now()
    submission = Submission.objects.get(author=user)
    assert code == OK and submission.status == "accepted", err
    assert f"Submitted as {submission.pk};" in err
    assert submission.finished_at is not None
    # The schedule: a quarter second, doubling, never more than a second between two polls ...
    schedule = [0.25, 0.5] + [1.0] * len(recorder.waits)
    assert recorder.waits == schedule[: len(recorder.waits)] and max(recorder.waits) <= 1.0
    # ... and the client stopped at the first answer given after the decision: every earlier poll
    # was answered before it, so the decision was seen at most one wait (and one request) late.
    (seen, status), earlier = recorder.answers[-1], recorder.answers[:-1]
    assert status == "accepted" and seen >= submission.finished_at
    assert all(at < seen and answer != "accepted" for at, answer in earlier)
    late = (returned - submission.finished_at).total_seconds()
    print(f"\n--wait returned {late:.3f} s after the decision ({len(recorder.answers)} polls)")

    competition_set_manual_approval(competition=competition, actor=organizer, enabled=True, reason="review")
    started = time.monotonic()
    code, out, err = cli(user, *submit_args(competition, SCRIPT[1][1], tmp_path))
    held = Submission.objects.filter(author=user).latest("pk")
    assert code == AWAITING_APPROVAL == 3, err
    assert held.status == "awaiting_approval" and "awaiting_approval" in out
    assert "awaiting an organizer's approval" in err and f"bounty status {held.pk}" in err
    print(f"--wait on a held pair returned (exit 3) after {time.monotonic() - started:.3f} s")
