"""The organizer's side of a competition, end to end: a real worker process decides the submissions,
the organizer rolls back, disqualifies a team, holds and approves a pair, confirms, and downloads the
model bundle, whose predictions on the holdout equal the platform's current version's exactly."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bounty.engine_adapter import competition_store
from bounty.models import AuditEvent, Competition, Submission, Team, UpdateStanding
from scoring.bundle import load_bundle
from tests.platform.conftest import LiveWorker, login
from tests.platform.engine_world import world
from tests.platform.organizer_support import SCRIPT, submit, team_member, weak_competition

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(competition: Competition, statuses: set[str], timeout: float = 240.0) -> list[Submission]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submissions = list(competition.submissions.order_by("seq"))
        if all(s.status in statuses for s in submissions):
            return submissions
        time.sleep(0.3)
    raise AssertionError(f"not every submission reached {statuses} within {timeout}s")


def test_organizer_rolls_back_disqualifies_confirms_and_exports_a_bundle_matching_the_platform(
    live_worker: LiveWorker, tmp_path: Path
) -> None:
    org = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    organizer_scenario(weak_competition(org), org, tmp_path)


def organizer_scenario(competition: Competition, org: User, tmp_path: Path) -> None:
    """Submissions decided by the worker, then rollback, disqualification, a held pair approved,
    confirmation, and the bundle, whose holdout predictions equal the current version's exactly."""
    users = {team: team_member(competition, team) for team in ("A", "B", "C")}
    for team, text in SCRIPT:
        submit(competition, users[team], text)
    decided = wait_for(competition, {"accepted", "rejected"})
    assert [s.status for s in decided] == ["accepted"] * len(SCRIPT)
    web = login(org)
    slug = competition.slug

    confirmed = {"confirm": "1", "head": Competition.objects.get(pk=competition.pk).head_version}
    data = {"version": 3, "reason": "undo #4", **confirmed}
    assert web.post(reverse("console:rollback", args=[slug]), data).status_code == 302
    team_a = Team.objects.get(name="Team A")
    confirmed = {"confirm": "1", "head": Competition.objects.get(pk=competition.pk).head_version}
    data = {"team": team_a.pk, "reason": "cheating", **confirmed}
    assert web.post(reverse("console:disqualify", args=[slug]), data).status_code == 302

    data = {"enabled": "on", "reason": "final week"}
    assert web.post(reverse("console:manual_approval", args=[slug]), data).status_code == 302
    held = submit(competition, users["C"], "hours_per_week > 45")
    wait_for(competition, {"accepted", "rejected", "awaiting_approval", "cancelled"})
    held.refresh_from_db()
    assert held.status == Submission.Status.AWAITING_APPROVAL
    url = reverse("console:approve", args=[slug, held.pk])
    assert web.post(url, {"note": "checked by hand"}).status_code == 302
    held.refresh_from_db()
    assert held.status == Submission.Status.ACCEPTED

    response = web.post(reverse("console:confirm", args=[slug]), {"confirm-reason": "before payout"})
    assert response.status_code == 302
    standings = {s.submission_id: s for s in UpdateStanding.objects.filter(competition=competition)}
    assert [standings[s.pk].counts for s in decided] == [True, False, True, False]
    assert standings[held.pk].counts and standings[held.pk].confirmed_gain is not None

    response = web.get(reverse("console:export_bundle", args=[slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    path = tmp_path / "bundle.zip"
    path.write_bytes(response.content)
    bundle = load_bundle(path)
    competition.refresh_from_db()
    assert bundle.version == competition.head_version
    cached = competition_store(competition).decision_list(competition.head_version).predictions("holdout")
    assert np.array_equal(bundle.predict(world().splits["holdout"]), cached)

    actions = set(AuditEvent.objects.filter(actor=org).values_list("action", flat=True))
    expected = {"competition.rollback", "team.disqualify", "submission.approve", "competition.confirm"}
    assert expected | {"competition.manual_approval", "competition.export_bundle"} <= actions
