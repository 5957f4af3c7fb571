from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, Submission, Team
from bounty.rendering import markdown_to_html
from bounty.selectors.leaderboard import leaderboard
from tests.platform.conftest import login, make_competition


def test_markdown_is_rendered_and_sanitized() -> None:
    html = markdown_to_html("# Title\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html
    assert "javascript:" not in html


def test_public_pages_render(client: Client, competition: Competition) -> None:
    for name, args in [("home", []), ("competitions", []), ("competition", [competition.slug]),
                       ("leaderboard", [competition.slug])]:  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    detail = client.get(reverse("competition", args=[competition.slug])).content.decode()
    assert "<strong>base model</strong>" in detail


def test_participant_pages_render(competition: Competition, ready_participant: User) -> None:
    client = login(ready_participant)
    for name in ("team", "terms", "submit", "my_submissions"):
        assert client.get(reverse(name, args=[competition.slug])).status_code == 200, name


def test_drafts_are_hidden_from_everyone_but_organizers(make_user: Callable[..., User], db: None) -> None:
    draft = make_competition(slug="draft", status=Competition.Status.DRAFT)
    url = reverse("competition", args=[draft.slug])
    assert Client().get(url).status_code == 404
    organizer = make_user("grace")
    draft.organizers.add(organizer)
    assert login(organizer).get(url).status_code == 200


def _accepted(team: Team, user: User, seq: int, gain: float) -> Submission:
    return Submission.objects.create(
        competition=team.competition, team=team, author=user, seq=seq,
        group_tree={"col": "age", "op": ">=", "value": 60.0}, model_sha256="d" * 64,
        model_format="skops", status="accepted", reason="accepted", public_gain=gain,
    )  # fmt: skip


def test_leaderboard_ranks_by_credit_and_breaks_ties_by_arrival(
    competition: Competition, make_user: Callable[..., User]
) -> None:
    user = make_user("ada")
    late, early, idle = (Team.objects.create(competition=competition, name=n) for n in "ABC")
    _accepted(late, user, 2, 0.01)
    _accepted(early, user, 1, 0.01)
    Submission.objects.create(
        competition=competition, team=idle, author=user, seq=3, group_tree={"op": "all"},
        model_sha256="e" * 64, model_format="skops", status="rejected",
        reason="insufficient_improvement",
    )  # fmt: skip
    rows = leaderboard(competition=competition)
    assert [r.team.name for r in rows] == ["B", "A", "C"]
    assert rows[0].credit == 5.0  # percent of the published base loss
    assert rows[0].updates[0].group == "age is at least 60"
    assert (rows[2].credit, rows[2].rejections) == (0.0, 1)
    page = Client().get(reverse("leaderboard", args=[competition.slug])).content.decode()
    assert "5.00%" in page
    assert "age is at least 60" in page
