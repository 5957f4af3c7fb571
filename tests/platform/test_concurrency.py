"""30 submissions from parallel clients, two worker processes: each decided once, in arrival order."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from bounty.models import AuditEvent, Competition, ModelVersion, Submission
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from bounty.storage import artifact_read, competition_dir
from scoring.engine import Store, open_store
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
KINDS = ("tree2", "tree6", "boosting")
SUBMISSIONS = 30
TEAMS = 6


def pairs() -> list[tuple[str, bytes]]:
    out = []
    for i in range(SUBMISSIONS):
        text = GROUP_TEXTS[i % len(GROUP_TEXTS)]
        out.append((text, pair_model(text, KINDS[(i // len(GROUP_TEXTS)) % len(KINDS)])))
    return out


def submit_all(competition: Competition, users: list[User], work: list[tuple[str, bytes]]) -> None:
    def one(index: int) -> int:
        client = Client()
        client.force_login(users[index % len(users)])
        text, model = work[index]
        upload = SimpleUploadedFile(f"m{index}.skops", model)
        try:
            response = client.post(
                reverse("submit", args=[competition.slug]), {"group_text": text, "model_file": upload}
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=TEAMS) as pool:
        codes = list(pool.map(one, range(len(work))))
    assert codes == [302] * len(work)


def wait_all_decided(competition: Competition, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not competition.submissions.filter(status__in=Submission.PENDING).exists():
            return
        time.sleep(0.5)
    raise AssertionError("not every submission was decided in time")


def replay(initial: Path, submissions: list[Submission]) -> Store:
    """Apply the same submissions one by one, in arrival order, to a copy of the starting state."""
    store = Store(initial)
    head = 0
    for submission in submissions:
        evaluation = store.evaluate(group=submission.group_tree, model=artifact_read(submission.model_sha256))
        _, versions = store.commit(evaluation, label=str(submission.pk), head=head)
        head = versions[-1].number if versions else head
    return store


def test_parallel_submissions_are_decided_once_each_and_match_a_replay_in_arrival_order(
    two_workers: list[LiveWorker], tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs against PostgreSQL (CI runs it there)")
    organizer = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=organizer)
    initial = tmp_path / "initial"
    shutil.copytree(competition_dir(competition.pk), initial)
    users = []
    for i in range(TEAMS):
        user = User.objects.create_user(f"p{i}", password="participant-pass-1")
        terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
        team_create(competition=competition, name=f"team {i}", user=user)
        users.append(user)
    work = pairs()

    submit_all(competition, users, work)
    wait_all_decided(competition)

    submissions = list(competition.submissions.order_by("seq"))
    assert [s.seq for s in submissions] == list(range(1, SUBMISSIONS + 1))
    assert {s.status for s in submissions} <= {"accepted", "rejected"}
    assert any(s.status == "accepted" for s in submissions)
    decided = AuditEvent.objects.filter(competition=competition, action="submission.decided")
    per_submission = [e.payload["submission_id"] for e in decided]
    assert sorted(per_submission) == sorted(s.pk for s in submissions)  # exactly once each
    competition.refresh_from_db()
    numbers = list(ModelVersion.objects.filter(competition=competition).values_list("number", flat=True))
    assert numbers == list(range(competition.head_version + 1))

    replayed = replay(initial, submissions)
    live = open_store(competition_dir(competition.pk)).decision_list(competition.head_version)
    again = replayed.decision_list(competition.head_version)
    assert [n.label for n in again.nodes] == [n.label for n in live.nodes]
    assert [n.kind for n in again.nodes] == [n.kind for n in live.nodes]
    for split in ("holdout", "confirmation"):
        assert np.array_equal(again.predictions(split), live.predictions(split))
    accepted = [str(s.pk) for s in submissions if s.status == "accepted"]
    assert [n.label for n in live.nodes if n.kind == "update"] == accepted
