"""Organizers can require approval of teams: in such a competition a team cannot submit (web, API,
command line) until an organizer approves it from the console or the organizer API; each approval and
each change of the setting is in the audit log."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from bounty_client.cli import main
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import AuditEvent, Competition, Membership, Team, TermsAcceptance
from tests.platform.api_support import api_client, api_reset, error_of, skops_model, token_for, upload
from tests.platform.conftest import PASSWORD, login, make_competition

__all__ = ["api_reset"]
pytestmark = pytest.mark.usefixtures("api_reset")


@pytest.fixture
def organizer(db: None) -> User:
    return User.objects.create_user("grace", password=PASSWORD)


@pytest.fixture
def vetted(organizer: User) -> Competition:
    competition = make_competition(team_approval=True)
    competition.organizers.add(organizer)
    return competition


def member_of_new_team(competition: Competition, name: str = "ada", team: str = "Lovelace") -> User:
    user = User.objects.create_user(name, password=PASSWORD)
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    created = login(user).post(reverse("team", args=[competition.slug]), {"action": "create", "name": team})
    assert created.status_code == 302
    return user


def api_submit(user: User, competition: Competition, text: str = "age >= 60") -> Any:
    path = f"/api/v1/competitions/{competition.slug}/submissions"
    return api_client(user).post(path, {"group_text": text, "model": upload()})


def approve_path(competition: Competition, team: Team) -> str:
    return f"/api/v1/organize/competitions/{competition.slug}/teams/{team.pk}/approve"


def test_a_team_waiting_for_approval_cannot_submit_on_the_web_or_through_the_api(
    vetted: Competition, enqueued: list[int]
) -> None:
    ada = member_of_new_team(vetted)
    web = login(ada)
    page = web.get(reverse("team", args=[vetted.slug])).content.decode()
    assert "waiting for an organizer&#x27;s approval" in page or "waiting for an organizer's approval" in page
    response = web.post(
        reverse("submit", args=[vetted.slug]), {"group_text": "age >= 60", "model_file": upload()}
    )
    assert response.status_code == 403 and "waiting for an organizer" in response.content.decode()
    api = api_submit(ada, vetted)
    assert api.status_code == 403 and error_of(api)["code"] == "team_not_approved"
    assert "waiting for an organizer" in error_of(api)["message"]
    assert vetted.submissions.count() == 0 and enqueued == []


def test_the_organizer_approves_from_the_console_and_the_team_can_submit(
    vetted: Competition, organizer: User, enqueued: list[int]
) -> None:
    ada = member_of_new_team(vetted)
    team = Team.objects.get(name="Lovelace")
    console = login(organizer)
    page = console.get(reverse("console:home", args=[vetted.slug])).content.decode()
    assert "Teams awaiting approval" in page and "Lovelace" in page
    action = reverse("console:approve_team", args=[vetted.slug, team.pk])
    assert action in page
    response = console.post(action)
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.approved_at is not None
    event = AuditEvent.objects.get(action="team.approve")
    assert (event.actor, event.competition, event.payload["team_id"]) == (organizer, vetted, team.pk)
    after = console.get(reverse("console:home", args=[vetted.slug]))
    assert "Lovelace is approved and can submit." in after.content.decode()
    assert "No team is waiting." in after.content.decode()
    assert api_submit(ada, vetted).status_code == 201


def test_the_console_approval_needs_an_organizer_and_a_csrf_token(vetted: Competition) -> None:
    ada = member_of_new_team(vetted)
    team = Team.objects.get(name="Lovelace")
    action = reverse("console:approve_team", args=[vetted.slug, team.pk])
    assert login(ada).post(action).status_code == 403
    organizer = User.objects.get(username="grace")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(organizer)
    assert strict.post(action).status_code == 403
    team.refresh_from_db()
    assert team.approved_at is None and not AuditEvent.objects.filter(action="team.approve").exists()


def test_the_organizer_api_approves_a_team_once(
    vetted: Competition, organizer: User, enqueued: list[int]
) -> None:
    ada = member_of_new_team(vetted)
    team = Team.objects.get(name="Lovelace")
    response = api_client(organizer).post(approve_path(vetted, team))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "Lovelace is approved and can submit."
    assert body["team"]["id"] == team.pk and body["team"]["approved_at"]
    assert body["competition"]["team_approval"] is True
    again = api_client(organizer).post(approve_path(vetted, team))
    assert again.status_code == 409 and error_of(again)["code"] == "already_approved"
    assert AuditEvent.objects.filter(action="team.approve").count() == 1
    mine = api_client(ada).get(f"/api/v1/competitions/{vetted.slug}/team").json()
    assert mine["approved_at"] and mine["awaiting_approval"] is False
    assert api_submit(ada, vetted).status_code == 201


def test_the_organizer_api_refuses_others_and_other_competitions_teams(
    vetted: Competition, organizer: User
) -> None:
    ada = member_of_new_team(vetted)
    team = Team.objects.get(name="Lovelace")
    denied = api_client(ada).post(approve_path(vetted, team))
    assert denied.status_code == 403 and error_of(denied)["code"] == "forbidden"
    other = make_competition(slug="other-bounty")
    elsewhere = Team.objects.create(competition=other, name="Elsewhere")
    missing = api_client(organizer).post(approve_path(vetted, elsewhere))
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    team.refresh_from_db()
    assert team.approved_at is None and not AuditEvent.objects.filter(action="team.approve").exists()


def test_the_console_turns_team_approval_on_and_off_with_a_reason(
    organizer: User, enqueued: list[int]
) -> None:
    competition = make_competition()
    competition.organizers.add(organizer)
    ada = member_of_new_team(competition)
    console = login(organizer)
    path = reverse("console:team_approval", args=[competition.slug])
    assert console.post(path, {"enabled": "on", "reason": ""}).status_code == 400
    assert console.post(path, {"enabled": "on", "reason": "vetting teams"}).status_code == 302
    competition.refresh_from_db()
    assert competition.team_approval is True
    assert api_submit(ada, competition).status_code == 403  # teams made before wait for approval too
    assert console.post(path, {"reason": "no longer needed"}).status_code == 302
    competition.refresh_from_db()
    assert competition.team_approval is False
    assert api_submit(ada, competition).status_code == 201
    payloads = AuditEvent.objects.filter(action="competition.team_approval").order_by("pk")
    assert [(e.payload["enabled"], e.payload["reason"]) for e in payloads] == [
        (True, "vetting teams"),
        (False, "no longer needed"),
    ]
    assert login(ada).post(path, {"enabled": "on", "reason": "mine"}).status_code == 403


def test_without_team_approval_a_new_team_submits_at_once(
    competition: Competition, enqueued: list[int]
) -> None:
    ada = member_of_new_team(competition)
    assert Membership.objects.get(user=ada).team.approved_at is None
    assert api_submit(ada, competition).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_the_command_line_says_the_team_waits_for_an_organizer(live_server: Any, tmp_path: Path) -> None:
    competition = make_competition(team_approval=True)
    ada = member_of_new_team(competition)
    model = tmp_path / "m.skops"
    model.write_bytes(skops_model())
    out, err = io.StringIO(), io.StringIO()
    argv = ["--server", str(live_server), "--token", token_for(ada), "submit", competition.slug]
    code = main([*argv, "--group", "age >= 60", "--model", str(model)], out=out, err=err)
    assert code != 0 and "[team_not_approved]" in err.getvalue()
    assert (
        "waiting for an organizer" in err.getvalue() and f"bounty team {competition.slug}" in err.getvalue()
    )
    assert competition.submissions.count() == 0
    out = io.StringIO()
    assert main([*argv[:4], "team", competition.slug], out=out, err=io.StringIO()) == 0
    assert "waiting for an organizer" in out.getvalue()
