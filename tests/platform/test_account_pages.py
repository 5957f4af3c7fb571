"""A user's account: password change (old password required; other sessions end), password reset by
email through the test outbox, the account page (only the user's own teams, submissions and token) and
revoking the API token (the API then answers 401)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bounty.models import AuditEvent, Competition, Membership, Submission, Team
from tests.platform.api_support import set_rates
from tests.platform.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture(autouse=True)
def no_counters() -> Iterator[None]:
    """The rate-limit counters live in the cache: each test starts with none (these tests log in a lot)."""
    cache.clear()
    yield
    cache.clear()


def logged_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return client


def is_logged_in(client: Client) -> bool:
    return bool(client.get(reverse("home")).context["user"].is_authenticated)


def test_password_change_refuses_a_wrong_old_password(make_user: Callable[..., User]) -> None:
    user = make_user("ada")
    client = logged_in("ada")
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_password_change_keeps_this_session_and_ends_the_others(make_user: Callable[..., User]) -> None:
    user = make_user("ada")
    here, elsewhere = logged_in("ada"), logged_in("ada")
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    assert AuditEvent.objects.filter(action="user.password_change", actor=user).count() == 1


def test_password_change_needs_a_login(client: Client) -> None:
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_password_reset_by_email_end_to_end(make_user: Callable[..., User], settings: object) -> None:
    user = make_user("ada", email="ada@example.org")
    elsewhere = logged_in("ada")
    client = Client()
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    response = client.post(reverse("password_reset"), {"email": "ADA@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"] and "ada" in message.body
    link = re.search(r"http://\S+", str(message.body))
    assert link and link.group(0).startswith("http://127.0.0.1:8000/accounts/password/reset/")
    path = link.group(0).removeprefix("http://127.0.0.1:8000")

    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    set_path = form_page.redirect_chain[-1][0]
    done = client.post(set_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not is_logged_in(elsewhere)  # sessions with the old password end
    assert AuditEvent.objects.filter(action="user.password_reset", actor=user).count() == 1
    assert logged_in("ada", NEW_PASSWORD)
    again = Client().get(path, follow=True)  # the link works once
    assert again.context["validlink"] is False
    assert "This link does not work" in again.content.decode()


def test_password_reset_says_the_same_for_an_unknown_address(client: Client) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "If an account has that address" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_requests_are_limited_per_client_address(
    make_user: Callable[..., User], settings: object
) -> None:
    make_user("ada", email="ada@example.org")
    set_rates(settings, password_reset="2/hour")
    client = Client()
    statuses = [
        client.post(reverse("password_reset"), {"email": "ada@example.org"}).status_code for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_revoking_the_api_token_makes_the_api_answer_401(make_user: Callable[..., User]) -> None:
    user = make_user("ada")
    token = Token.objects.create(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(reverse("api:competitions")).status_code == 200
    web = login(user)
    page = web.get(reverse("account")).content.decode()
    assert f"<code>{token.key[:4]}…</code>" in page and token.key not in page
    response = web.post(reverse("token_revoke"), follow=True)
    assert "Your API token is revoked" in response.content.decode()
    assert api.get(reverse("api:competitions")).status_code == 401
    assert not Token.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="api.token_revoke")
    assert event.actor == user and event.payload["user_id"] == user.pk
    assert "You have no API token" in web.get(reverse("account")).content.decode()


def test_revoking_needs_a_post_from_the_owner(make_user: Callable[..., User]) -> None:
    user = make_user("ada")
    Token.objects.create(user=user)
    assert login(user).get(reverse("token_revoke")).status_code == 405
    assert Client().post(reverse("token_revoke")).status_code == 302  # to the login page
    assert Token.objects.filter(user=user).exists()


def member(user: User, competition: Competition, team_name: str) -> Team:
    team = Team.objects.create(competition=competition, name=team_name)
    Membership.objects.create(team=team, competition=competition, user=user)
    return team


def submission(user: User, team: Team, seq: int, group: str) -> Submission:
    return Submission.objects.create(
        competition=team.competition, team=team, author=user, seq=seq,
        group_tree={"col": "age", "op": ">=", "value": 60.0}, group_text=group,
        model_sha256="a" * 64, model_format="skops",
    )  # fmt: skip


def test_the_account_page_shows_only_the_users_own_things(
    make_user: Callable[..., User], competition: Competition
) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    mine = submission(ada, member(ada, competition, "Lovelace"), 1, "age >= 61")
    theirs = submission(bob, member(bob, competition, "Babbage"), 2, "age >= 62")
    Token.objects.create(user=bob)
    response = login(ada).get(reverse("account"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lovelace" in page and competition.title in page
    assert reverse("submission_detail", args=[mine.pk]) in page
    assert "Babbage" not in page and reverse("submission_detail", args=[theirs.pk]) not in page
    assert "You have no API token" in page
    assert reverse("password_change") in page


def test_the_username_in_the_header_links_to_the_account_page(make_user: Callable[..., User]) -> None:
    page = login(make_user("ada")).get(reverse("home")).content.decode()
    assert re.search(r'<a class="user" href="/account/"[^>]*>.*ada</a>', page)
    assert Client().get(reverse("account")).status_code == 302
