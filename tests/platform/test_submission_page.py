"""One submission's page: its progress while it waits, the decision in plain words once decided, the
organizer-only figures for organizers only, and nothing at all for other teams."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bounty.models import Competition, Membership, Submission, Team
from bounty.templatetags.bounty_tags import progress_steps
from tests.platform.conftest import login

pytestmark = pytest.mark.django_db


def make_submission(participant: User, competition: Competition, **fields: object) -> Submission:
    team = Team.objects.get(memberships__user=participant)
    return Submission.objects.create(
        competition=competition, team=team, author=participant, seq=1,
        group_tree={"col": "age", "op": ">=", "value": 60.0}, group_text="age >= 60",
        model_sha256="a" * 64, model_format="skops", **fields,
    )  # fmt: skip


def test_progress_steps_follow_the_status() -> None:
    assert progress_steps("queued") == [
        ("Received", "current"), ("Checking on the holdout", "todo"), ("Decided", "todo")
    ]  # fmt: skip
    assert [state for _, state in progress_steps("running")] == ["done", "current", "todo"]
    assert [state for _, state in progress_steps("accepted")] == ["done", "done", "done"]
    assert [label for label, _ in progress_steps("awaiting_approval")][2] == "Waiting for an organizer"
    assert [state for _, state in progress_steps("failed")] == ["done", "done", "failed"]


def test_a_queued_submission_shows_its_progress_and_polls(
    competition: Competition, ready_participant: User
) -> None:
    submission = make_submission(ready_participant, competition)
    page = login(ready_participant).get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert 'aria-current="step">Received' in page and "<progress" in page
    assert "data-pending" in page and "js/poll.js" in page
    assert "age is at least 60" in page


def test_a_rejection_is_explained_and_figures_stay_with_organizers(
    competition: Competition, ready_participant: User, organizer: User, make_user: Callable[..., User]
) -> None:
    figures = {"mass": 0.5, "gain": 0.000123}
    submission = make_submission(
        ready_participant, competition, status="rejected", reason="insufficient_improvement", figures=figures
    )
    url = reverse("submission_detail", args=[submission.pk])
    mine = login(ready_participant).get(url).content.decode()
    assert "did not lower the group" in mine and "0.000123" not in mine and "<progress" not in mine
    assert "0.000123" in login(organizer).get(url).content.decode()
    stranger = make_user("eve")
    Membership.objects.create(
        team=Team.objects.create(competition=competition, name="Other"),
        competition=competition,
        user=stranger,
    )
    assert login(stranger).get(url).status_code == 404
