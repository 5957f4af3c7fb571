"""Who may call what: the anonymous / outsider / member matrix, tokens and browser sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bounty.lifecycle import submission_create
from bounty.models import AuditEvent, Competition, Team
from tests.platform.api_support import (
    API,
    api_client,
    api_reset,  # noqa: F401  (a fixture)
    error_of,
    set_rates,
    upload,
)
from tests.platform.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("api_reset")


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # {slug}, {sub} and {code} are filled in
    body: str  # which request body to send (see ``body``)
    anonymous: int
    outsider: int  # logged in, no terms accepted, no team
    member: int  # the ready participant whose team made the submission


CASES = [
    Case("get", "competitions", "", 401, 200, 200),
    Case("get", "competitions/{slug}", "", 401, 200, 200),
    Case("get", "competitions/{slug}/schema", "", 401, 200, 200),
    Case("get", "competitions/{slug}/data-card", "", 401, 200, 200),
    Case("post", "competitions/{slug}/terms", "terms", 401, 200, 200),
    Case("get", "competitions/{slug}/train.csv", "", 401, 403, 200),
    # the fixture competition has no engine directory, so even a member finds no baseline
    Case("get", "competitions/{slug}/train-baseline.csv", "", 401, 403, 404),
    Case("get", "competitions/{slug}/train-baseline.npy", "", 401, 403, 404),
    Case("post", "competitions/{slug}/teams", "team", 401, 201, 409),
    Case("post", "competitions/{slug}/teams/join", "join", 401, 200, 409),
    Case("get", "competitions/{slug}/team", "", 401, 404, 200),
    Case("get", "competitions/{slug}/submissions", "", 401, 200, 200),
    Case("post", "competitions/{slug}/submissions", "submit", 401, 403, 201),
    Case("get", "submissions/{sub}", "", 401, 404, 200),
    Case("post", "submissions/{sub}/cancel", "", 401, 404, 200),
    Case("get", "competitions/{slug}/leaderboard", "", 200, 200, 200),
    Case("get", "competitions/{slug}/versions", "", 200, 200, 200),
    Case("get", "competitions/{slug}/metrics", "", 200, 200, 200),
]


def body(kind: str, team: Team) -> tuple[dict[str, Any] | None, str | None]:
    if kind == "terms":
        return {"terms_version": 1}, "json"
    if kind == "team":
        return {"name": "Hopper"}, "json"
    if kind == "join":
        return {"invite_code": team.invite_code}, "json"
    if kind == "submit":
        return {"group_text": "age >= 60", "model": upload()}, "multipart"
    return None, None


@pytest.mark.parametrize("role", ["anonymous", "outsider", "member"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_each_endpoint_answers_each_kind_of_caller_as_designed(
    case: Case,
    role: str,
    competition: Competition,
    ready_participant: User,
    make_user: Callable[..., User],
    enqueued: list[int],
) -> None:
    submission = submission_create(
        competition=competition, user=ready_participant, group_text="age >= 60", model_file=upload()
    )
    team = submission.team
    users = {"anonymous": None, "outsider": make_user("outsider"), "member": ready_participant}
    client = api_client(users[role])
    path = case.path.format(slug=competition.slug, sub=submission.pk, code=team.invite_code)
    data, fmt = body(case.body, team)
    response = getattr(client, case.method)(f"{API}/{path}", data, format=fmt)
    assert response.status_code == getattr(case, role), response.content
    if response.status_code >= 400:
        code = error_of(response)["code"]
        if response.status_code == 401:
            assert code == "not_authenticated"
            assert response["WWW-Authenticate"] == "Token"


def test_a_password_gets_a_token_that_then_authenticates(participant: User) -> None:
    response = APIClient().post(f"{API}/auth/token", {"username": "ada", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=participant).key == key
    again = APIClient().post(f"{API}/auth/token", {"username": "ada", "password": PASSWORD})
    assert again.json()["token"] == key  # one token per user, created once
    assert AuditEvent.objects.filter(action="api.token_create", actor=participant).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{API}/competitions").status_code == 200


def test_a_wrong_password_gets_no_token(participant: User) -> None:
    response = APIClient().post(f"{API}/auth/token", {"username": "ada", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_an_inactive_user_gets_no_token(participant: User) -> None:
    participant.is_active = False
    participant.save()
    response = APIClient().post(f"{API}/auth/token", {"username": "ada", "password": PASSWORD})
    assert error_of(response)["code"] == "invalid_credentials"


def test_an_unknown_token_is_refused_even_on_public_endpoints(competition: Competition) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    for path in ("competitions", f"competitions/{competition.slug}/leaderboard"):
        response = client.get(f"{API}/{path}")
        assert response.status_code == 401
        assert error_of(response)["code"] == "authentication_failed"


def test_a_browser_session_works_and_its_writes_need_the_csrf_token(
    competition: Competition, participant: User
) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(participant)
    assert client.get(f"{API}/competitions").status_code == 200
    response = client.post(f"{API}/competitions/{competition.slug}/terms", {"terms_version": 1})
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert "CSRF" in error_of(response)["message"]
    assert not competition.terms_acceptances.exists()


def test_drafts_are_listed_only_for_their_organizers(
    competition: Competition, organizer: User, participant: User
) -> None:
    from tests.platform.conftest import make_competition

    draft = make_competition(slug="draft", title="Draft", status=Competition.Status.DRAFT)
    draft.organizers.add(organizer)
    seen = {c["slug"] for c in api_client(participant).get(f"{API}/competitions").json()}
    assert seen == {competition.slug}
    assert api_client(participant).get(f"{API}/competitions/draft").status_code == 404
    seen = {c["slug"] for c in api_client(organizer).get(f"{API}/competitions").json()}
    assert seen == {competition.slug, "draft"}
    assert api_client().get(f"{API}/competitions/draft/leaderboard").status_code == 404


def test_the_token_endpoint_is_throttled_per_client(participant: User, settings: Any) -> None:
    set_rates(settings, login="2/minute")
    client = APIClient()
    for _ in range(2):
        client.post(f"{API}/auth/token", {"username": "ada", "password": "wrong"})
    response = client.post(f"{API}/auth/token", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1
