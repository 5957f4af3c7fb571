"""A participant who forgot their password, in a real browser: ask for a reset link, follow it from the
test mail outbox (the live server runs in this process), choose a new password, log in with it, open
the account page from the header and revoke the API token. Every page is screenshotted (desktop and
375 px) and checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from tests.browser.support import Visitor, wait_until
from tests.platform.engine_world import engine_competition

pytestmark = pytest.mark.integration
NEW_PASSWORD = "a-new-pass-for-ada-7"


def test_a_participant_resets_the_password_by_email_and_revokes_the_token(
    visitor: Visitor, live_server: Any, settings: Any
) -> None:
    settings.BOUNTY_SITE_URL = live_server.url  # the link in the email points at this server
    engine_competition(organizer=User.objects.create_user("org", password="org-pass-123456"))
    ada = User.objects.create_user("ada", "ada@example.org", "forgotten-pass-123")
    Token.objects.create(user=ada)
    page = visitor.page

    visitor.go("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    visitor.check("reset-ask")
    visitor.fill("Email", "ada@example.org")
    visitor.click("button", "Send the link")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    visitor.check("reset-sent")

    wait_until(lambda: len(mail.outbox) == 1, timeout=10, what="the reset email")
    link = re.search(r"http://\S+", str(mail.outbox[0].body))
    assert link is not None and mail.outbox[0].to == ["ada@example.org"]
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    visitor.check("reset-choose")
    visitor.fill("New password", NEW_PASSWORD)
    visitor.fill("New password confirmation", NEW_PASSWORD + "x")
    visitor.click("button", "Set the password")
    expect(page.locator(".field.has-error .error")).to_contain_text("match")
    visitor.check("reset-mismatch")
    visitor.fill("New password", NEW_PASSWORD)
    visitor.fill("New password confirmation", NEW_PASSWORD)
    visitor.click("button", "Set the password")
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    visitor.check("reset-done")

    page.get_by_role("link", name="Log in").last.click()
    visitor.fill("Username", "ada")
    visitor.fill("Password", NEW_PASSWORD)
    visitor.click("button", "Log in")
    page.get_by_role("navigation", name="Site").get_by_role("link", name=re.compile("Your account")).click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("You have an API token starting")).to_be_visible()
    visitor.check("account")
    visitor.click("button", "Revoke the token")
    expect(page.get_by_role("status")).to_contain_text("Your API token is revoked")
    expect(page.get_by_text("You have no API token")).to_be_visible()
    visitor.check("account-revoked")
    assert not Token.objects.filter(user=ada).exists()
