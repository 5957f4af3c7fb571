"""List pages make the same number of queries whatever the number of rows (no N+1): each page is
measured with 2 rows and with 20."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bounty.models import Competition, Membership, Submission, Team
from tests.platform.conftest import login, make_competition

pytestmark = pytest.mark.django_db


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_submission(team: Team, author: User, seq: int, status: str) -> Submission:
    accepted = status == "accepted"
    return Submission.objects.create(
        competition=team.competition, team=team, author=author, seq=seq,
        group_tree={"col": "age", "op": ">=", "value": float(seq)}, group_text=f"age >= {seq}",
        model_sha256=f"{seq:064x}", model_format="skops", status=status,
        reason="accepted" if accepted else ("insufficient_improvement" if status == "rejected" else ""),
        public_gain=0.001 if accepted else None,
    )  # fmt: skip


def flat(count: Callable[[int], int]) -> None:
    small, large = count(2), count(20)
    assert small == large, f"{small} queries with 2 rows, {large} with 20"


def test_the_leaderboard_makes_as_many_queries_for_20_teams_as_for_2(competition: Competition) -> None:
    seq = iter(range(1, 1000))

    def count(teams: int) -> int:
        for n in range(competition.teams.count(), teams):
            user = User.objects.create_user(f"member-{n}")
            team = Team.objects.create(competition=competition, name=f"Team {n}")
            Membership.objects.create(team=team, competition=competition, user=user)
            add_submission(team, user, next(seq), "accepted")
            add_submission(team, user, next(seq), "rejected")
        return queries(Client(), reverse("leaderboard", args=[competition.slug]))

    flat(count)


def test_the_competition_list_makes_as_many_queries_for_20_competitions_as_for_2(db: None) -> None:
    viewer = User.objects.create_user("viewer")

    def count(competitions: int) -> int:
        for n in range(Competition.objects.count(), competitions):
            make_competition(slug=f"c{n}", title=f"Competition {n}").organizers.add(viewer)
        anonymous = queries(Client(), reverse("competitions"))
        assert anonymous == queries(Client(), reverse("home"))
        return queries(login(viewer), reverse("competitions")) * 1000 + anonymous

    flat(count)


def test_the_submission_lists_make_as_many_queries_for_20_submissions_as_for_2(
    competition: Competition, ready_participant: User, organizer: User
) -> None:
    team = Team.objects.get(memberships__user=ready_participant)
    mine = reverse("my_submissions", args=[competition.slug])
    everyone = reverse("console:submissions", args=[competition.slug])
    statuses = ("accepted", "rejected", "queued", "running")

    def count(submissions: int) -> int:
        for seq in range(competition.submissions.count() + 1, submissions + 1):
            add_submission(team, ready_participant, seq, statuses[seq % len(statuses)])
        return queries(login(ready_participant), mine) * 1000 + queries(login(organizer), everyone)

    flat(count)


def test_the_competition_page_makes_as_many_queries_for_10_decisions_as_for_2(
    competition: Competition, ready_participant: User
) -> None:
    team = Team.objects.get(memberships__user=ready_participant)
    url = reverse("competition", args=[competition.slug])

    def count(decisions: int) -> int:
        for seq in range(competition.submissions.count() + 1, min(decisions, 10) + 1):
            add_submission(team, ready_participant, seq, "accepted" if seq % 2 else "rejected")
        return queries(Client(), url)

    flat(count)
