"""The organizer pages: who may use them, reasons required, actions recorded, CSV exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import AuditEvent, Competition, ModelVersion, Submission, Team
from tests.platform.conftest import login
from tests.platform.organizer_support import run_script, weak_competition

pytestmark = pytest.mark.django_db
SLUG_URLS = (
    "console:home",
    "console:export_bundle",
    "console:export_submissions",
)
POST_URLS = (
    "console:rollback",
    "console:disqualify",
    "console:confirm",
    "console:close",
    "console:manual_approval",
)


def test_participants_get_403_on_every_organizer_url(
    competition: Competition, ready_participant: User
) -> None:
    client = login(ready_participant)
    for name in SLUG_URLS:
        assert client.get(reverse(name, args=[competition.slug])).status_code == 403, name
    for name in POST_URLS:
        assert client.post(reverse(name, args=[competition.slug]), {"reason": "x"}).status_code == 403, name
    for name in ("console:approve", "console:decline"):
        assert client.post(reverse(name, args=[competition.slug, 1]), {"note": "x"}).status_code == 403
    assert not AuditEvent.objects.filter(actor=ready_participant).exists()


def test_anonymous_visitors_are_sent_to_log_in(competition: Competition) -> None:
    response = Client().get(reverse("console:home", args=[competition.slug]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_organizers_and_staff_see_the_review_page(competition: Competition, organizer: User) -> None:
    staff = User.objects.create_user("root", password="root-pass-123456", is_staff=True)
    for user in (organizer, staff):
        page = login(user).get(reverse("console:home", args=[competition.slug]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Waiting for approval" in text and "Roll back" in text and "Disqualify" in text


def test_an_action_without_a_reason_is_refused_and_not_recorded(
    competition: Competition, organizer: User
) -> None:
    client = login(organizer)
    response = client.post(reverse("console:confirm", args=[competition.slug]), {"confirm-reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(reverse("console:manual_approval", args=[competition.slug]), {"enabled": "on"})
    assert response.status_code == 400
    competition.refresh_from_db()
    assert not competition.manual_approval
    assert not AuditEvent.objects.filter(actor=organizer).exists()


def test_turning_manual_approval_on_is_recorded_with_who_and_why(
    competition: Competition, organizer: User
) -> None:
    client = login(organizer)
    data = {"enabled": "on", "reason": "new season"}
    response = client.post(reverse("console:manual_approval", args=[competition.slug]), data)
    assert response.status_code == 302
    competition.refresh_from_db()
    assert competition.manual_approval
    event = AuditEvent.objects.get(action="competition.manual_approval")
    assert event.actor == organizer and event.payload == {"enabled": True, "reason": "new season"}


def test_organizers_roll_back_and_disqualify_from_the_page(enqueued: list[int]) -> None:
    org = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(org)
    users, decided = run_script(competition)
    client = login(org)
    page = client.get(reverse("console:home", args=[competition.slug])).content.decode()
    assert f"{decided[0].figures['gain']:.6f}" in page  # organizer-only figures
    url = reverse("console:rollback", args=[competition.slug])
    response = client.post(url, {"version": 2, "reason": "revert the last two"})
    assert response.status_code == 200 and "What will change" in response.content.decode()  # asks first
    competition.refresh_from_db()
    confirmed = {"confirm": "1", "head": competition.head_version}
    response = client.post(url, {"version": 2, "reason": "revert the last two", **confirmed})
    assert response.status_code == 302
    competition.refresh_from_db()
    head = ModelVersion.objects.get(competition=competition, number=competition.head_version)
    assert (head.kind, head.target_version) == ("rollback", 2)
    team = Team.objects.get(name="Team B")
    url = reverse("console:disqualify", args=[competition.slug])
    competition.refresh_from_db()
    confirmed = {"confirm": "1", "head": competition.head_version}
    response = client.post(url, {"team": team.pk, "reason": "collusion", **confirmed}, follow=True)
    assert response.status_code == 200 and "Team B is disqualified" in response.content.decode()
    actions = set(AuditEvent.objects.filter(actor=org).values_list("action", flat=True))
    assert {"competition.rollback", "team.disqualify"} <= actions
    response = client.post(url, {"team": team.pk, "reason": "again"})
    assert response.status_code == 400  # no longer a choice
    assert users and len(decided) == 4


def test_the_submissions_csv_has_the_figures_and_defuses_formulas(
    competition: Competition, organizer: User, ready_participant: User
) -> None:
    team = ready_participant.memberships.get().team
    Team.objects.filter(pk=team.pk).update(name="=HYPERLINK(1)")
    Submission.objects.create(
        competition=competition,
        team=team,
        author=ready_participant,
        seq=1,
        group_tree={"col": "age", "op": ">=", "value": 60.0},
        group_text="age >= 60",
        model_sha256="a" * 64,
        model_format="skops",
        status=Submission.Status.REJECTED,
        reason="insufficient_improvement",
        figures={"mass": 0.25, "gain": -0.125},
    )
    response = login(organizer).get(reverse("console:export_submissions", args=[competition.slug]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["team"] == "'=HYPERLINK(1)" and rows[0]["gain"] == "-0.125" and rows[0]["mass"] == "0.25"
    assert AuditEvent.objects.filter(action="competition.export_submissions", actor=organizer).exists()


def test_the_leaderboard_csv_is_public_and_has_no_figures(
    competition: Competition, ready_participant: User
) -> None:
    response = Client().get(reverse("leaderboard_csv", args=[competition.slug]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "rank",
        "team",
        "credit_percent",
        "gain",
        "accepted_updates",
        "rejections",
        "findings",
        "findings_fixed",
    ]
    assert rows[1][1] == "Lovelace"
