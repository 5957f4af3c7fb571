"""Manual approval and decision emails, on a real engine competition scored by the scoring service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from bounty.errors import DomainError
from bounty.lifecycle import (
    competition_rollback,
    competition_set_manual_approval,
    submission_approve,
    submission_decline,
)
from bounty.models import AuditEvent, Competition, Submission
from tests.platform.organizer_support import score, submit, team_member, weak_competition

pytestmark = pytest.mark.django_db
MARRIED = 'marital_status in ["Married-civ-spouse"]'
OLDER = "age >= 50"
Capture = Callable[..., Any]


@pytest.fixture
def org() -> User:
    return User.objects.create_user("org", "org@example.org", "org-pass-123456")


@pytest.fixture
def held(org: User, enqueued: list[int]) -> tuple[Competition, User, Submission, Submission]:
    """Manual approval on; a pair the check accepts waits, and one behind it is evaluated but blocked."""
    competition = weak_competition(org)
    competition_set_manual_approval(competition=competition, actor=org, enabled=True, reason="review all")
    user = team_member(competition, "A")
    first = score(submit(competition, user, OLDER))
    second = score(submit(competition, user, MARRIED))
    competition.refresh_from_db()
    return competition, user, first, second


def test_an_accepted_pair_waits_for_approval_and_blocks_later_decisions(
    held: tuple[Competition, User, Submission, Submission],
) -> None:
    competition, _, first, second = held
    assert first.status == Submission.Status.AWAITING_APPROVAL and first.is_pending
    assert first.figures["gain"] > 0 and first.checked_version == 0
    assert second.status == Submission.Status.EVALUATED  # arrival order: it waits behind the first
    assert competition.head_version == 0 and competition.manual_approval


def test_approving_commits_the_pair_then_decides_the_ones_behind_it(
    held: tuple[Competition, User, Submission, Submission], org: User
) -> None:
    _, _, first, second = held
    approved = submission_approve(submission=first, actor=org, note="looks right")
    assert approved.status == Submission.Status.ACCEPTED and approved.public_gain is not None
    second.refresh_from_db()
    assert second.status == Submission.Status.AWAITING_APPROVAL and second.checked_version == 1
    event = AuditEvent.objects.get(action="submission.approve")
    assert event.actor == org and event.payload["reason"] == "looks right"
    assert event.payload["versions"] == [1]


def test_declining_refuses_the_pair_and_the_queue_moves_on(
    held: tuple[Competition, User, Submission, Submission], org: User
) -> None:
    competition, _, first, second = held
    declined = submission_decline(submission=first, actor=org, note="duplicate of a known group")
    assert declined.status == Submission.Status.DECLINED and not declined.is_pending
    competition.refresh_from_db()
    assert competition.head_version == 0
    second.refresh_from_db()
    assert second.status == Submission.Status.AWAITING_APPROVAL and second.checked_version == 0
    with pytest.raises(DomainError) as error:
        submission_decline(submission=first, actor=org, note="again")
    assert error.value.code == "not_awaiting_approval"


def test_approval_needs_an_organizer_and_a_note(
    held: tuple[Competition, User, Submission, Submission],
) -> None:
    _, user, first, _ = held
    with pytest.raises(DomainError) as error:
        submission_approve(submission=first, actor=user, note="me")
    assert error.value.code == "forbidden"
    staff = User.objects.create_user("staff", password="staff-pass-1234", is_staff=True)
    with pytest.raises(DomainError) as error:
        submission_approve(submission=first, actor=staff, note="")
    assert error.value.code == "reason_required" and error.value.field == "note"
    first.refresh_from_db()
    assert first.status == Submission.Status.AWAITING_APPROVAL


def test_an_approved_pair_is_checked_against_the_newest_version_and_may_now_be_rejected(
    org: User, enqueued: list[int]
) -> None:
    competition = weak_competition(org)
    user = team_member(competition, "A")
    assert score(submit(competition, user, MARRIED)).status == "accepted"  # v1
    competition_rollback(competition=competition, version=0, actor=org, reason="undo")  # v2 = base
    competition_set_manual_approval(competition=competition, actor=org, enabled=True, reason="care")
    again = score(submit(competition, user, MARRIED))
    assert again.status == Submission.Status.AWAITING_APPROVAL and again.checked_version == 2
    competition_rollback(competition=competition, version=1, actor=org, reason="it was fine")  # v3
    decided = submission_approve(submission=again, actor=org, note="ok")
    assert decided.status == Submission.Status.REJECTED and decided.reason == "insufficient_improvement"
    assert decided.checked_version == 3


def test_the_submitter_and_organizers_get_emails_without_holdout_figures(
    org: User, enqueued: list[int], django_capture_on_commit_callbacks: Capture
) -> None:
    competition = weak_competition(org)
    user = team_member(competition, "A")
    with django_capture_on_commit_callbacks(execute=True):
        accepted = score(submit(competition, user, MARRIED))
    assert accepted.status == "accepted"
    to_submitter = [m for m in mail.outbox if m.to == ["a@example.org"]]
    to_organizers = [m for m in mail.outbox if m.to == ["org@example.org"]]
    assert len(to_submitter) == 1 and "accepted" in to_submitter[0].subject
    assert len(to_organizers) == 1 and "Team A" in to_organizers[0].subject
    for message in mail.outbox:
        for name in ("loss_current", "loss_h", "se", "margin"):
            assert f"{accepted.figures[name]:.6f}"[:8] not in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rejected = score(submit(competition, user, MARRIED))  # nothing left to gain
    assert rejected.status == "rejected"
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "insufficient improvement" in mail.outbox[0].body


def test_a_declined_pair_is_emailed_to_the_submitter(
    held: tuple[Competition, User, Submission, Submission],
    org: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    _, _, first, _ = held
    with django_capture_on_commit_callbacks(execute=True):
        submission_decline(submission=first, actor=org, note="no")
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "declined" in mail.outbox[0].subject.lower()
