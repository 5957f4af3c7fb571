"""Roll back, disqualify and close ask first: their page shows exactly what would change (the versions
and updates undone, each team's credit before and after, in the leaderboard's units), changes nothing,
and the action runs only when the form is posted with ``confirm`` on the head version it was shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import AuditEvent, Competition, Submission, Team, UpdateStanding
from bounty.selectors.leaderboard import leaderboard
from bounty.selectors.undo_preview import Preview
from tests.platform.conftest import login
from tests.platform.organizer_support import run_script, weak_competition

pytestmark = pytest.mark.django_db


@pytest.fixture
def scripted(enqueued: list[int]) -> tuple[Competition, User, list[Submission]]:
    """Four accepted updates: v1 team C, v2 team A, v3 team B, v4 team A."""
    org = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(org)
    _, decided = run_script(competition)
    assert [s.status for s in decided] == ["accepted"] * 4
    return competition, org, decided


def state(competition: Competition) -> tuple[Any, ...]:
    """Everything the actions change: the head, the status, the standings, the audit log."""
    competition.refresh_from_db()
    standings = sorted(UpdateStanding.objects.values_list("submission_id", "counts", "confirmed"))
    statuses = sorted(competition.submissions.values_list("pk", "status"))
    return competition.head_version, competition.status, standings, statuses, AuditEvent.objects.count()


def credits(competition: Competition) -> dict[str, float]:
    competition.refresh_from_db()
    return {row.team.name: row.credit for row in leaderboard(competition=competition)}


def confirm(client: Client, url: str, preview: Preview, **data: Any) -> Any:
    return client.post(url, {**data, "confirm": "1", "head": preview.head, "reason": "as shown"})


def test_rollback_shows_what_will_change_and_acts_only_when_confirmed(
    scripted: tuple[Competition, User, list[Submission]],
) -> None:
    competition, org, decided = scripted
    client, url = login(org), reverse("console:rollback", args=[competition.slug])
    before = state(competition)

    shown = client.get(url, {"version": 2})
    assert shown.status_code == 200
    preview: Preview = shown.context["preview"]
    assert [v.number for v in preview.versions] == [3, 4]
    assert preview.undone == decided[2:]  # team B's v3 and team A's v4
    assert {c.team.name for c in preview.credit} == {"Team A", "Team B"}
    page = shown.content.decode()
    assert f"#{decided[2].pk}" in page and f"#{decided[3].pk}" in page and "Roll back to v2" in page
    assert state(competition) == before

    from_console = client.post(url, {"version": 2, "reason": "revert the last two"})  # no confirm
    assert from_console.status_code == 200 and "revert the last two" in from_console.content.decode()
    assert state(competition) == before

    done = confirm(client, url, preview, version=2)
    assert done.status_code == 302
    undone = Submission.objects.filter(competition=competition, standing__counts=False).order_by("seq")
    assert list(undone) == preview.undone
    after = credits(competition)
    assert {c.team.name: c.after for c in preview.credit} == {t: after[t] for t in ("Team A", "Team B")}
    assert AuditEvent.objects.filter(action="competition.rollback", actor=org).count() == 1


def test_a_confirmation_made_on_an_older_head_is_shown_again_not_acted_on(
    scripted: tuple[Competition, User, list[Submission]],
) -> None:
    competition, org, _ = scripted
    client, url = login(org), reverse("console:rollback", args=[competition.slug])
    before = state(competition)
    response = client.post(url, {"version": 1, "confirm": "1", "head": 3, "reason": "stale"})
    assert response.status_code == 409
    assert "The model changed since that page was shown" in response.content.decode()
    assert state(competition) == before
    missing_reason = client.post(url, {"version": 1, "confirm": "1", "head": 4, "reason": ""})
    assert missing_reason.status_code == 400 and state(competition) == before


def test_disqualify_shows_the_teams_updates_and_what_is_checked_again(
    scripted: tuple[Competition, User, list[Submission]],
) -> None:
    competition, org, decided = scripted
    client, url = login(org), reverse("console:disqualify", args=[competition.slug])
    team = Team.objects.get(competition=competition, name="Team A")
    before, credit_before = state(competition), credits(competition)

    shown = client.get(url, {"team": team.pk})
    assert shown.status_code == 200
    preview: Preview = shown.context["preview"]
    assert preview.undone == [decided[1], decided[3]]
    assert preview.rechecked == [decided[2]]  # team B's update came after team A's first
    gone = [c for c in preview.credit if c.team == team]
    assert len(gone) == 1 and gone[0].after is None and gone[0].before == credit_before["Team A"]
    assert "not ranked (disqualified)" in shown.content.decode()
    assert state(competition) == before

    assert confirm(client, url, preview, team=team.pk).status_code == 302
    dropped = set(Submission.objects.filter(standing__dropped="disqualified").values_list("pk", flat=True))
    assert dropped == {decided[1].pk, decided[3].pk}
    assert "Team A" not in credits(competition)


def test_close_shows_which_updates_lose_credit_and_acts_only_when_confirmed(
    scripted: tuple[Competition, User, list[Submission]],
) -> None:
    competition, org, _ = scripted
    client, url = login(org), reverse("console:close", args=[competition.slug])
    before = state(competition)

    shown = client.get(url)
    assert shown.status_code == 200
    preview: Preview = shown.context["preview"]
    assert preview.confirmed + len(preview.undone) == 4
    assert state(competition) == before and before[1] == "open"

    assert confirm(client, url, preview).status_code == 302
    competition.refresh_from_db()
    assert competition.status == "closed"
    unconfirmed = Submission.objects.filter(competition=competition, standing__confirmed=False).order_by(
        "seq"
    )
    assert list(unconfirmed) == preview.undone
    after = credits(competition)
    assert all(after[c.team.name] == c.after for c in preview.credit)
    assert client.get(url).status_code == 409  # already closed
