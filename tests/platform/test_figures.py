"""Organizer-only figures (Submission.figures) never reach participants or the public."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, Submission
from tests.platform.conftest import login

FIGURES = {
    "mass": 0.1234567,
    "loss_current": 0.3141592,
    "loss_h": 0.2718281,
    "gain": 0.0424242,
    "se": 0.0061803,
    "margin": 0.0369369,
}


def renderings(value: float) -> list[str]:
    return [repr(value), f"{value:.4f}", f"{value:.6f}"]


@pytest.fixture
def decided(competition: Competition, ready_participant: User) -> Submission:
    team = ready_participant.memberships.get().team
    return Submission.objects.create(
        competition=competition,
        team=team,
        author=ready_participant,
        seq=1,
        group_tree={"col": "age", "op": ">=", "value": 60.0},
        group_text="age >= 60",
        model_sha256="a" * 64,
        model_format="skops",
        status=Submission.Status.ACCEPTED,
        reason="accepted",
        figures=FIGURES,
        public_gain=0.042,
    )


def pages(client: Client, competition: Competition, submission: Submission) -> dict[str, str]:
    urls = {
        "detail": reverse("competition", args=[competition.slug]),
        "leaderboard": reverse("leaderboard", args=[competition.slug]),
        "mine": reverse("my_submissions", args=[competition.slug]),
        "status": reverse("status", args=[submission.pk]),
    }
    return {name: client.get(url).content.decode() for name, url in urls.items()}


def assert_no_figures(text: str, where: str) -> None:
    for name, value in FIGURES.items():
        for shown in renderings(value):
            assert shown not in text, f"{name} ({shown}) leaked on {where}"


def test_participants_and_the_public_never_see_the_figures(
    competition: Competition, ready_participant: User, decided: Submission
) -> None:
    for who, client in {"participant": login(ready_participant), "anonymous": Client()}.items():
        for name, text in pages(client, competition, decided).items():
            assert_no_figures(text, f"{name} as {who}")
    participant_pages = pages(login(ready_participant), competition, decided)
    assert "+0.042<" in participant_pages["leaderboard"]  # the public gain, at the published step (0.001)
    assert '"public_gain": 0.042' in participant_pages["status"]


def test_organizer_pages_are_refused_to_participants(
    competition: Competition, ready_participant: User, decided: Submission
) -> None:
    url = reverse("console:submissions", args=[competition.slug])
    response = login(ready_participant).get(url)
    assert response.status_code == 403
    assert_no_figures(response.content.decode(), "the refusal")


def test_organizers_and_staff_see_the_figures(
    competition: Competition,
    organizer: User,
    make_user: Callable[..., User],
    decided: Submission,
) -> None:
    staff = make_user("root", is_staff=True)
    for user in (organizer, staff):
        client = login(user)
        page = client.get(reverse("console:submissions", args=[competition.slug]))
        assert "0.3142" in page.content.decode()
        status = client.get(reverse("status", args=[decided.pk])).json()
        assert status["figures"] == FIGURES


def test_organizers_of_another_competition_do_not_see_the_figures(
    competition: Competition, make_user: Callable[..., User], decided: Submission, db: None
) -> None:
    from tests.platform.conftest import make_competition

    other = make_competition(slug="other", title="Other")
    stranger = make_user("mallory")
    other.organizers.add(stranger)
    response = login(stranger).get(reverse("console:submissions", args=[competition.slug]))
    assert response.status_code == 403
    status = login(stranger).get(reverse("status", args=[decided.pk]))
    assert status.status_code == 404
