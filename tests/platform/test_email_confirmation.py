"""A signed-up user confirms their email address before they can create or join a team or submit, on
the web, through the API and the command line. The link in the email confirms, logs in and shows the
next step; a bad, expired or outdated link is refused; sending it again is rate limited per user.
Users made by operators (no ``Account`` row) count as confirmed."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bounty_client.cli import main
from django.contrib.auth.models import User
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse

from bounty.models import Account, AuditEvent, Competition, Membership, Team, TermsAcceptance
from bounty.services.accounts import confirmation_token
from tests.platform.api_support import api_client, error_of, set_rates, skops_model, token_for, upload
from tests.platform.conftest import PASSWORD

LINK = re.compile(r"https?://\S+/accounts/confirm-email/(\S+)/")


@pytest.fixture(autouse=True)
def fresh_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def sign_up(client: Client, name: str = "newbie") -> Any:
    """Sign up; the email goes out once the sign-up commits (run here inside the test's transaction)."""
    data = {"username": name, "email": f"{name}@example.org", "password1": PASSWORD, "password2": PASSWORD}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("signup"), data)


def link_path(message: Any) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return reverse("email_confirm", args=[match.group(1)])


@pytest.fixture
def newbie(db: None, client: Client) -> User:
    """Signed up through the page, logged in, not confirmed; terms accepted for the competition."""
    assert sign_up(client).status_code == 302
    return User.objects.get(username="newbie")


def ready(user: User, competition: Competition) -> Team:
    """Terms accepted and a team (as an operator could have set it up), to reach the submit check."""
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name="Newbies")
    Membership.objects.create(team=team, competition=competition, user=user)
    return team


# -- sign-up and the next step --------------------------------------------------------------------------
def test_signup_mails_a_link_and_lands_on_the_next_step(client: Client, db: None) -> None:
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == reverse("email_confirmation")
    user = User.objects.get(username="newbie")
    assert Account.objects.get(user=user).email_confirmed_at is None
    assert [m.to for m in mail.outbox] == [["newbie@example.org"]]
    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page and "newbie@example.org" in page
    assert "Send the link again" in page and reverse("competitions") in page
    assert "cannot create or join a team or submit" in page


def test_signup_requires_an_email_address(client: Client, db: None) -> None:
    data = {"username": "nomail", "email": "", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 400 and response.context["form"].errors["email"]
    assert not User.objects.filter(username="nomail").exists() and mail.outbox == []


def test_the_link_confirms_logs_in_and_shows_the_next_step(newbie: User) -> None:
    browser = Client()  # the link is often opened in another browser
    response = browser.get(link_path(mail.outbox[0]))
    assert response.status_code == 302 and response["Location"] == reverse("email_confirmation")
    assert Account.objects.get(user=newbie).email_confirmed_at is not None
    assert AuditEvent.objects.filter(action="user.email_confirm", actor=newbie).count() == 1
    page = browser.get(response["Location"]).content.decode()
    assert "Your email address is confirmed" in page and "create or join a team" in page
    again = Client().get(link_path(mail.outbox[0]))  # a second click confirms nothing, logs nobody in
    assert again.status_code == 302 and "_auth_user_id" not in again.client.session
    assert AuditEvent.objects.filter(action="user.email_confirm").count() == 1


# -- what an unconfirmed user may not do -----------------------------------------------------------------
def test_an_unconfirmed_user_cannot_create_or_join_a_team_on_the_web(
    client: Client, newbie: User, competition: Competition
) -> None:
    page = client.get(reverse("team", args=[competition.slug])).content.decode()
    assert "Confirm your email address before you create or join a team" in page
    created = client.post(reverse("team", args=[competition.slug]), {"action": "create", "name": "Mine"})
    assert created.status_code == 403
    assert "Confirm your email address first" in created.content.decode()
    other = Team.objects.create(competition=competition, name="Others")
    joined = client.post(
        reverse("team", args=[competition.slug]), {"action": "join", "invite_code": other.invite_code}
    )
    assert joined.status_code == 403
    assert not Membership.objects.filter(user=newbie).exists()


def test_an_unconfirmed_user_cannot_create_or_join_a_team_through_the_api(
    newbie: User, competition: Competition
) -> None:
    api = api_client(newbie)
    base = f"/api/v1/competitions/{competition.slug}"
    created = api.post(f"{base}/teams", {"name": "Mine"}, format="json")
    assert created.status_code == 403 and error_of(created)["code"] == "email_unconfirmed"
    assert reverse("email_confirmation") in error_of(created)["message"]
    other = Team.objects.create(competition=competition, name="Others")
    joined = api.post(f"{base}/teams/join", {"invite_code": other.invite_code}, format="json")
    assert joined.status_code == 403 and error_of(joined)["code"] == "email_unconfirmed"
    assert not Membership.objects.filter(user=newbie).exists()


def test_an_unconfirmed_user_cannot_submit_on_the_web_or_through_the_api(
    client: Client, newbie: User, competition: Competition, enqueued: list[int]
) -> None:
    ready(newbie, competition)
    web = client.post(
        reverse("submit", args=[competition.slug]), {"group_text": "age >= 60", "model_file": upload()}
    )
    assert web.status_code == 403 and "Confirm your email address first" in web.content.decode()
    api = api_client(newbie).post(
        f"/api/v1/competitions/{competition.slug}/submissions", {"group_text": "age >= 60", "model": upload()}
    )
    assert api.status_code == 403 and error_of(api)["code"] == "email_unconfirmed"
    assert competition.submissions.count() == 0 and enqueued == []


@pytest.mark.django_db(transaction=True)
def test_an_unconfirmed_user_cannot_submit_from_the_command_line(
    live_server: Any, competition: Competition, tmp_path: Path
) -> None:
    user = User.objects.create_user("cli-newbie", email="c@example.org", password=PASSWORD)
    Account.objects.create(user=user)
    ready(user, competition)
    model = tmp_path / "m.skops"
    model.write_bytes(skops_model())
    out, err = io.StringIO(), io.StringIO()
    argv = ["--server", str(live_server), "--token", token_for(user), "submit", competition.slug]
    code = main([*argv, "--group", "age >= 60", "--model", str(model)], out=out, err=err)
    assert code != 0 and "[email_unconfirmed]" in err.getvalue()
    assert "Confirm your email address first" in err.getvalue()
    assert competition.submissions.count() == 0


def test_a_confirmed_user_creates_a_team_and_an_operator_made_user_needs_nothing(
    client: Client, newbie: User, competition: Competition, make_user: Callable[..., User]
) -> None:
    client.get(link_path(mail.outbox[0]))
    created = client.post(reverse("team", args=[competition.slug]), {"action": "create", "name": "Mine"})
    assert created.status_code == 302 and Membership.objects.filter(user=newbie).exists()
    operator_made = make_user("ops")
    assert not Account.objects.filter(user=operator_made).exists()
    response = api_client(operator_made).post(
        f"/api/v1/competitions/{competition.slug}/teams", {"name": "Ops"}, format="json"
    )
    assert response.status_code == 201


# -- links that do not work --------------------------------------------------------------------------------
def refused(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 400, response.status_code
    return response.content.decode()


def test_a_tampered_link_is_refused(newbie: User) -> None:
    good = link_path(mail.outbox[0])
    assert "is not valid" in refused(good.replace("/confirm-email/", "/confirm-email/x"))
    assert "is not valid" in refused(reverse("email_confirm", args=["not-a-token"]))
    assert Account.objects.get(user=newbie).email_confirmed_at is None


def test_an_expired_link_is_refused(newbie: User, monkeypatch: pytest.MonkeyPatch) -> None:
    four_days_ago = time.time() - 4 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: four_days_ago)
    old = confirmation_token(user=newbie)
    monkeypatch.undo()
    assert "has expired" in refused(reverse("email_confirm", args=[old]))
    assert Account.objects.get(user=newbie).email_confirmed_at is None


def test_a_link_for_an_address_that_changed_is_refused(newbie: User) -> None:
    path = link_path(mail.outbox[0])
    User.objects.filter(pk=newbie.pk).update(email="someone-else@example.org")
    assert "address that changed" in refused(path)
    assert Account.objects.get(user=newbie).email_confirmed_at is None


# -- sending it again --------------------------------------------------------------------------------------
def test_sending_the_link_again_is_rate_limited_per_user(client: Client, newbie: User, settings: Any) -> None:
    set_rates(settings, resend="2/hour")
    path = reverse("email_confirmation_resend")
    codes = [client.post(path, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code for i in range(4)]
    assert codes == [302, 302, 429, 429]
    assert len(mail.outbox) == 3  # the sign-up's and two more
    assert link_path(mail.outbox[-1])  # each carries a working link
    response = Client().get(link_path(mail.outbox[-1]))
    assert response.status_code == 302
    assert Account.objects.get(user=newbie).email_confirmed_at is not None


def test_the_next_step_page_needs_a_login(db: None) -> None:
    response = Client().get(reverse("email_confirmation"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
