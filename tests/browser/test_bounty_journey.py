"""The bounty in a real browser: an organizer sets up a reward program in the console; a newcomer signs
up, confirms the email address, joins with a team, submits a finding (a group alone) and sees it
published with its tier and rewarded; another team's pair fixes it; both teams see their earnings.
A real worker decides. Every page is screenshotted (desktop and 375 px) and checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from bounty.models import Finding, LedgerEntry, Submission
from tests.browser.support import Visitor, wait_until
from tests.platform.conftest import LiveWorker
from tests.platform.organizer_support import submit, team_member, weak_competition
from tests.platform.rewards_world import FINDING_TEXT, later

pytestmark = pytest.mark.integration
PASSWORD = "a-long-pass-4-ada"
DECIDED_MS = 180_000


def log_in(visitor: Visitor, username: str, password: str) -> None:
    visitor.page.context.clear_cookies()
    visitor.go("/accounts/login/")
    visitor.fill("Username", username)
    visitor.fill("Password", password)
    visitor.click("button", "Log in")


def test_an_organizer_rewards_a_finding_another_team_fixes_and_both_see_their_earnings(
    visitor: Visitor, worker: LiveWorker
) -> None:
    org = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(org)
    slug, page = competition.slug, visitor.page

    log_in(visitor, "org", "org-pass-123456")
    visitor.go(f"/competitions/{slug}/console/program/")
    visitor.fill("Currency", "EUR")
    visitor.fill("Pool", "5000.00")
    visitor.fill("Per point of gain", "250.00")
    visitor.fill("Smallest update award", "50.00")
    visitor.fill("Largest update award", "1500.00")
    visitor.fill("Finding tiers", "Moderate, 0.05, 100.00\nSevere, 0.2, 400.00")
    visitor.fill("Payout date", later(60).isoformat())
    visitor.fill("Scope", "The model's decisions on the census table.")
    visitor.fill("Disclosure policy", "Publish a finding once it is fixed.")
    visitor.check("program-form")
    visitor.click("button", "Save the program")
    expect(page.get_by_role("heading", name=re.compile("^Payout ledger"))).to_be_visible()
    visitor.check("ledger")

    page.context.clear_cookies()
    visitor.go(f"/competitions/{slug}/program/")
    expect(page.get_by_text("Severe")).to_be_visible()
    visitor.check("program-public")

    visitor.sign_up("nina", PASSWORD)
    visitor.go(f"/competitions/{slug}/team/")
    visitor.fill("Team name", "Nina's")
    visitor.click("button", "Create the team")
    visitor.go(f"/competitions/{slug}/terms/")
    page.get_by_label("I have read and accept these terms").check()
    visitor.click("button", "Accept")

    visitor.go(f"/competitions/{slug}/find/")
    visitor.fill("Group", FINDING_TEXT)
    visitor.fill("What you found (optional)", "Married people are nearly all predicted below 50K.")
    visitor.check("find")
    visitor.click("button", "Submit the finding")
    expect(page).to_have_url(re.compile(r"/submissions/\d+/$"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "accepted", timeout=DECIDED_MS)
    visitor.check("finding-decided")
    finding = Finding.objects.get(submission__team__name="Nina's")

    visitor.tab("Findings")
    expect(page.get_by_text("Severe").first).to_be_visible()
    visitor.check("findings")
    visitor.tab("Earnings")
    expect(page.locator('[data-figure="balance"]')).to_have_text("400.00 EUR")
    visitor.check("earnings-finder")

    fixer = team_member(competition, "B")  # another team fixes it with a pair (decided by the worker)
    fix = submit(competition, fixer, FINDING_TEXT)
    wait_until(lambda: Submission.objects.get(pk=fix.pk).status in ("accepted", "rejected"), what="the fix")
    assert Submission.objects.get(pk=fix.pk).status == "accepted"
    visitor.go(f"/findings/{finding.submission_id}/")
    expect(page.locator('[data-figure="fixed-by"]')).to_contain_text(f"#{fix.pk} by Team B")
    expect(page.locator('[data-figure="gap-after"]')).to_be_visible()
    visitor.check("finding-fixed")
    visitor.tab("Reports")  # the team x attribute heatmaps of findings and of their fixes
    findings_table = page.get_by_role("table", name="Published findings per team and attribute")
    expect(findings_table.get_by_role("row", name=re.compile("^Nina's"))).to_be_visible()
    fixes_table = page.get_by_role("table", name="Pairs that fixed a finding per team and attribute")
    expect(fixes_table.get_by_role("row", name=re.compile("^Team B"))).to_be_visible()
    expect(page.locator("svg#findings, #findings svg, [id^=findings]").first).to_be_attached()
    visitor.check("reports")

    log_in(visitor, fixer.username, "pass-4-tests-only")
    visitor.go(f"/competitions/{slug}/earnings/")
    award = LedgerEntry.objects.get(submission=fix).amount
    assert award > 0
    expect(page.locator('[data-figure="balance"]')).to_have_text(f"{award} EUR")
    visitor.check("earnings-fixer")
