"""A new participant in a real browser: sign up (after a form error), confirm the email address through
the test mail outbox, create a team, accept the terms, download the data, submit a group and a model,
watch the real worker decide it live, and find the team on the leaderboard. Every page is screenshotted
(desktop and 375 px) and checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import expect

from tests.browser.support import Visitor, frozen_status
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model

pytestmark = pytest.mark.integration
PASSWORD = "a-long-pass-4-ada"


def test_a_new_participant_signs_up_submits_and_sees_the_decision_live(
    visitor: Visitor, worker: LiveWorker, tmp_path: Path
) -> None:
    engine_competition(organizer=User.objects.create_user("org", password="org-pass-123456"))
    text = GROUP_TEXTS[0]
    model = tmp_path / "married.skops"
    model.write_bytes(pair_model(text))
    page = visitor.page

    visitor.go("/")
    visitor.check("home")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Sign up").click()
    visitor.fill("Username", "ada")
    visitor.fill("Email", "ada@example.org")
    visitor.fill("Password", PASSWORD)
    visitor.fill("Password again", PASSWORD + "-typo")
    visitor.click("button", "Sign up")
    mismatch = page.locator(".field.has-error").filter(has=page.get_by_label("Password again", exact=True))
    expect(mismatch.locator(".error")).to_have_text("The two passwords differ.")
    expect(page.get_by_label("Password again", exact=True)).to_have_attribute("aria-invalid", "true")
    visitor.check("signup-error")
    visitor.fill("Password", PASSWORD)
    visitor.fill("Password again", PASSWORD)
    visitor.click("button", "Sign up")
    expect(page.get_by_role("navigation", name="Site")).to_contain_text("ada")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    visitor.check("email-confirmation")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    assert link is not None, mail.outbox[-1].body
    visitor.go(link.group(1))
    expect(page.get_by_role("heading", name="Your email address is confirmed")).to_be_visible()
    visitor.check("email-confirmed")

    page.get_by_role("main").get_by_role("link", name="Browse competitions").click()
    visitor.check("competitions")
    page.get_by_role("link", name="Census income").click()
    expect(page.get_by_role("heading", name="How it works")).to_be_visible()
    visitor.check("competition")

    page.get_by_role("link", name="Create or join a team").click()
    visitor.check("team-empty")
    visitor.fill("Team name", "Ada's")
    visitor.click("button", "Create the team")
    expect(page.get_by_role("heading", name="Ada's")).to_be_visible()
    visitor.check("team")

    visitor.tab("Overview")
    page.get_by_role("link", name="Accept the terms").click()
    visitor.check("terms")
    page.get_by_label("I have read and accept these terms").check()
    visitor.click("button", "Accept")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the training data").click()
    header = Path(download.value.path()).read_text().split("\n", 1)[0]
    assert "marital_status" in header and "income" in header

    visitor.tab("Submit")
    visitor.fill("Group", text)
    expect(page.locator("#group-preview")).to_contain_text("% of the public training rows: marital status")
    page.get_by_label("Model file", exact=True).set_input_files(model)
    visitor.check("submit")
    visitor.click("button", "Submit for checking")

    expect(page).to_have_url(re.compile(r"/submissions/\d+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]  # the one number its address, page and emails share
    expect(page.get_by_role("heading", name=f"Submission #{number}")).to_be_visible()
    with frozen_status(page):  # no reload while the pending page is checked
        visitor.check("submission-pending")
    expect(page.locator("[data-role=status]")).to_have_text("Accepted", timeout=180_000)
    expect(page.locator(".progress-steps li.done")).to_have_count(3)
    visitor.check("submission-accepted")

    page.get_by_role("link", name="All my submissions").click()
    expect(page.locator("tbody [data-role=status]")).to_have_text("Accepted")
    visitor.check("my-submissions")
    visitor.tab("Leaderboard")
    board = page.get_by_role("table", name="Teams ranked by credit")
    expect(board).to_contain_text("Ada's")
    expect(board).to_contain_text("Married-civ-spouse")
    visitor.check("leaderboard")

    visitor.go("/competitions/census/console/", status=403)
    expect(page.get_by_role("heading", name="You do not have access to this page")).to_be_visible()
    visitor.check("error-403")
