"""A visitor who is not logged in, in a real browser: the home page by keyboard alone, the competition
list and page, the leaderboard, the reports and the model card of a closed competition, and the
error pages. Every page is screenshotted (desktop and 375 px) and checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from bounty.lifecycle import competition_close
from bounty.models import Competition
from tests.browser.support import Visitor, wait_until
from tests.platform.conftest import LiveWorker
from tests.platform.organizer_support import SCRIPT, submit, team_member, weak_competition

pytestmark = pytest.mark.integration
FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; }"""


def closed_competition() -> Competition:
    """A closed competition with two accepted, confirmed updates by two teams."""
    org = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(org, title="Census income")
    for team, text in SCRIPT[:2]:
        submit(competition, team_member(competition, team), text)
    wait_until(
        lambda: set(competition.submissions.values_list("status", flat=True)) == {"accepted"},
        what="two accepted pairs",
    )
    return competition_close(competition=competition, actor=org, reason="the end")


def test_a_visitor_reads_the_public_pages_by_keyboard_and_on_a_phone(
    visitor: Visitor, worker: LiveWorker, settings: Any
) -> None:
    page = visitor.page
    visitor.go("/competitions/")
    expect(page.get_by_text("No competitions yet")).to_be_visible()
    visitor.check("competitions-empty")

    competition = closed_competition()
    visitor.go("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    assert page.evaluate(FOCUS_RING)
    visitor.check("home-skip-link-focused", phone=False)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Browse competitions")).to_be_focused()
    assert page.evaluate(FOCUS_RING)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/competitions/$"))
    visitor.check("competitions")

    page.get_by_role("link", name="Census income").click()
    expect(page.locator(".page-head .badge")).to_have_text("Closed")
    expect(page.get_by_role("heading", name="Recent decisions")).to_be_visible()
    visitor.check("competition")
    visitor.tab("Leaderboard")
    board = page.get_by_role("table", name="Teams ranked by credit")
    expect(board.locator("tbody tr")).to_have_count(2)
    expect(board).to_contain_text("Team C")
    visitor.check("leaderboard")
    visitor.tab("Reports")
    expect(page.locator("svg.chart").first).to_be_visible()
    visitor.check("reports")
    visitor.tab("Model card")
    expect(page.get_by_role("heading", name="Accepted groups")).to_be_visible()
    visitor.check("model-card")
    visitor.tab("Audits")
    visitor.check("audits")
    page.get_by_role("link", name="Log in").first.click()
    visitor.check("login")
    page.get_by_role("link", name="Sign up").last.click()
    visitor.check("signup")

    visitor.go(f"/competitions/{competition.slug}-typo/", status=404)
    expect(page.get_by_role("heading", name="We could not find that")).to_be_visible()
    visitor.check("error-404")
    visitor.go("/no-such-page/", status=404)
    expect(page.get_by_role("heading", name="We could not find that page")).to_be_visible()
    visitor.check("error-404-page")
    settings.ROOT_URLCONF = "tests.platform.error_urls"
    visitor.go("/test-errors/403/", status=403)
    visitor.check("error-403")
    visitor.go("/test-errors/500/", status=500)
    expect(page.get_by_role("heading", name="Something went wrong on our side")).to_be_visible()
    visitor.check("error-500")
