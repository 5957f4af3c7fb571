"""Rolling back, disqualifying and confirming on a real engine competition, through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from bounty.engine_adapter import competition_store
from bounty.errors import DomainError
from bounty.lifecycle import (
    competition_close,
    competition_confirm,
    competition_rollback,
    competitions_close_due,
    team_disqualify,
)
from bounty.models import AuditEvent, Competition, ModelVersion, Submission, UpdateStanding
from bounty.selectors.leaderboard import leaderboard
from tests.platform.organizer_support import run_script, score, submit, weak_competition

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> User:
    return User.objects.create_user("org", "org@example.org", "org-pass-123456")


@pytest.fixture
def played(org: User, enqueued: list[int]) -> tuple[Competition, dict[str, User], list[Submission]]:
    competition = weak_competition(org)
    users, decided = run_script(competition)
    assert [s.status for s in decided] == ["accepted"] * 4
    competition.refresh_from_db()
    return competition, users, decided


def credits(competition: Competition) -> dict[str, float]:
    return {row.team.name: row.gain for row in leaderboard(competition=competition)}


def test_rollback_adds_a_version_predicting_as_the_target_and_later_updates_stop_counting(
    played: tuple[Competition, dict[str, User], list[Submission]], org: User
) -> None:
    competition, _, decided = played
    head = competition.head_version
    target = ModelVersion.objects.get(competition=competition, submission=decided[1], kind="update").number
    version = competition_rollback(competition=competition, version=target, actor=org, reason="bad merge")
    competition.refresh_from_db()
    assert (version.kind, version.target_version, version.number) == ("rollback", target, head + 1)
    assert competition.head_version == head + 1
    assert ModelVersion.objects.filter(competition=competition).count() == head + 2  # nothing deleted
    store = competition_store(competition)
    for split in ("holdout", "confirmation"):
        now = store.decision_list(head + 1).predictions(split).copy()
        assert np.array_equal(now, store.decision_list(target).predictions(split))
    standings = {s.submission_id: s for s in UpdateStanding.objects.filter(competition=competition)}
    assert [standings[s.pk].counts for s in decided] == [True, True, False, False]
    assert standings[decided[2].pk].dropped == UpdateStanding.Dropped.ROLLED_BACK
    assert credits(competition)["Team B"] == 0.0 and credits(competition)["Team A"] == decided[1].public_gain
    event = AuditEvent.objects.get(action="competition.rollback")
    assert event.actor == org and event.payload["reason"] == "bad merge" and event.payload["to"] == target


def test_a_submission_decided_after_a_rollback_is_checked_against_the_new_head(
    played: tuple[Competition, dict[str, User], list[Submission]], org: User
) -> None:
    competition, users, _ = played
    competition_rollback(competition=competition, version=0, actor=org, reason="start again")
    again = score(submit(competition, users["B"], 'marital_status in ["Married-civ-spouse"]'))
    competition.refresh_from_db()
    assert again.status == "accepted" and again.checked_version == competition.head_version - 1
    assert UpdateStanding.objects.filter(submission=again).count() == 0  # counts by default
    assert credits(competition)["Team B"] == again.public_gain


def test_rollback_needs_an_organizer_a_reason_and_an_earlier_version(
    played: tuple[Competition, dict[str, User], list[Submission]], org: User
) -> None:
    competition, users, _ = played
    cases: list[tuple[dict[str, Any], str]] = [
        ({"actor": users["A"], "reason": "mine", "version": 0}, "forbidden"),
        ({"actor": org, "reason": "  ", "version": 0}, "reason_required"),
        ({"actor": org, "reason": "why", "version": competition.head_version}, "invalid_version"),
    ]
    for kwargs, code in cases:
        with pytest.raises(DomainError) as error:
            competition_rollback(competition=competition, **kwargs)
        assert error.value.code == code
    assert not AuditEvent.objects.filter(action="competition.rollback").exists()


def test_disqualifying_a_team_rebuilds_the_model_from_the_others_in_arrival_order(
    played: tuple[Competition, dict[str, User], list[Submission]], org: User
) -> None:
    competition, users, decided = played
    head = competition.head_version
    waiting = submit(competition, users["A"], "age >= 30")  # queued, never decided now
    team_a = users["A"].memberships.get().team
    dq = team_disqualify(competition=competition, team=team_a, actor=org, reason="shared the holdout")
    competition.refresh_from_db()
    kinds = list(
        ModelVersion.objects.filter(competition=competition, number__gt=head).values_list("kind", flat=True)
    )
    assert kinds == ["rollback", "update", "update"] and dq.version == competition.head_version
    replayed = ModelVersion.objects.filter(competition=competition, number__gt=head, kind="update")
    assert [v.submission_id for v in replayed] == [decided[0].pk, decided[2].pk]
    standings = {s.submission_id: s for s in UpdateStanding.objects.filter(competition=competition)}
    assert [standings[s.pk].counts for s in decided] == [True, False, True, False]
    assert standings[decided[1].pk].dropped == UpdateStanding.Dropped.DISQUALIFIED
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.CANCELLED
    assert "Team A" not in credits(competition)
    payload = AuditEvent.objects.get(action="team.disqualify").payload
    assert payload["withdrawn"] == [waiting.pk]
    assert [(r["submission_id"], r["accepted"]) for r in payload["replayed"]] == [
        (decided[0].pk, True),
        (decided[2].pk, True),
    ]
    with pytest.raises(DomainError) as error:
        submit(competition, users["A"], "age >= 30")
    assert error.value.code == "team_disqualified"
    with pytest.raises(DomainError) as error:
        team_disqualify(competition=competition, team=team_a, actor=org, reason="again")
    assert error.value.code == "already_disqualified"


def test_confirmation_stores_each_counting_updates_gain_on_the_confirmation_split(
    played: tuple[Competition, dict[str, User], list[Submission]], org: User
) -> None:
    competition, _, decided = played
    confirmed, unconfirmed = competition_confirm(competition=competition, actor=org, reason="weekly check")
    assert (confirmed, unconfirmed) == (4, 0)
    store = competition_store(competition)
    dl = store.decision_list(competition.head_version)
    for submission in decided:
        standing = UpdateStanding.objects.get(submission=submission)
        node = next(n for n in dl.nodes if n.label == str(submission.pk))
        before = dl.nodes[node.number - 2].losses if node.number > 1 else dl.base_losses()
        drop = before["confirmation"] - node.losses["confirmation"]
        assert standing.confirmed and standing.confirmed_gain == pytest.approx(drop, abs=1e-12)
    event = AuditEvent.objects.get(action="competition.confirm")
    assert event.actor == org and event.payload["reason"] == "weekly check"


def test_after_the_close_only_confirmed_updates_earn_credit(
    played: tuple[Competition, dict[str, User], list[Submission]], org: User
) -> None:
    competition, _, decided = played
    before = credits(competition)
    competition_close(competition=competition, actor=org, reason="deadline")
    competition.refresh_from_db()
    assert competition.status == Competition.Status.CLOSED
    assert credits(competition) == before  # every update was confirmed
    UpdateStanding.objects.filter(submission=decided[2]).update(confirmed=False, confirmed_gain=-0.01)
    assert credits(competition)["Team B"] == 0.0
    actions = list(AuditEvent.objects.filter(competition=competition).values_list("action", flat=True)[:2])
    assert actions == ["competition.confirm", "competition.close"]


def test_competitions_past_their_closing_time_are_closed_and_confirmed(
    played: tuple[Competition, dict[str, User], list[Submission]],
) -> None:
    competition, _, decided = played
    Competition.objects.filter(pk=competition.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert competitions_close_due() == [competition.pk]
    assert competitions_close_due() == []
    competition.refresh_from_db()
    assert competition.status == Competition.Status.CLOSED
    assert UpdateStanding.objects.filter(submission__in=decided, confirmed=True).count() == 4
    close = AuditEvent.objects.get(action="competition.close")
    assert close.actor is None and "closing time" in close.payload["reason"]


def test_an_update_accepted_after_the_close_is_confirmed_when_it_is_decided(
    played: tuple[Competition, dict[str, User], list[Submission]],
    org: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    competition, users, _ = played
    late = submit(competition, users["C"], "age >= 30")  # queued before the close
    competition_close(competition=competition, actor=org, reason="deadline")
    with django_capture_on_commit_callbacks(execute=True):
        late = score(late)
    assert late.status == "accepted"
    standing = UpdateStanding.objects.get(submission=late)
    assert standing.counts and standing.confirmed_gain is not None
