"""The no-code journey on the demo competition, in a real browser: a person signs up, confirms the
email address through the test outbox, creates a team, accepts the terms, opens Explore, picks the
worst group it suggests, has a gradient-boosting model fitted for it on the site, submits it in one
click and sees it decided, writing no code. Every page is screenshotted (desktop and 375 px) and
checked with axe-core."""

from __future__ import annotations

import re
import shutil

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from bounty.demo import load_demo_frame
from bounty.models import Competition
from bounty.storage import data_dir
from tests.browser.support import Visitor
from tests.platform.conftest import LiveWorker

pytestmark = pytest.mark.integration
PASSWORD = "a-long-pass-4-ada"


def test_a_newcomer_finds_a_weak_group_and_fixes_it_without_writing_code(
    visitor: Visitor, worker: LiveWorker, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = tmp_path_factory.mktemp("adult-cache")
    load_demo_frame(cache)
    shutil.copytree(cache, data_dir() / "cache" / "adult", dirs_exist_ok=True)
    call_command("seed_demo", "--no-logins")
    demo = Competition.objects.get(slug="adult-income")
    page = visitor.page

    visitor.sign_up("nina", PASSWORD)

    visitor.go(f"/competitions/{demo.slug}/team/")
    visitor.fill("Team name", "Nina's")
    visitor.click("button", "Create the team")
    visitor.go(f"/competitions/{demo.slug}/terms/")
    page.get_by_label("I have read and accept these terms").check()
    visitor.click("button", "Accept")

    visitor.tab("Explore")
    groups = page.get_by_role("table", name=re.compile("^The top groups by score"))
    expect(groups).to_be_visible(timeout=120_000)  # the page refreshes itself until the worker is done
    visitor.check("explore")
    first = groups.locator('tr[data-slice="1"]')
    text = first.locator("code").inner_text()
    first.get_by_role("link", name=re.compile("^Fit a model for this group")).click()
    expect(page.get_by_label("Group", exact=True)).to_have_value(text)
    page.get_by_label("Model", exact=True).select_option(label="Gradient boosting: size medium")
    visitor.check("fit")
    visitor.click("button", "Fit the model")
    expect(page.locator("[data-estimate-verdict]")).to_be_visible(timeout=180_000)
    visitor.check("fitted")

    visitor.click("button", "Submit this pair")
    expect(page).to_have_url(re.compile(r"/submissions/\d+/$"))
    decided = page.locator("[data-status]")
    expect(decided).to_have_attribute("data-status", re.compile("^(accepted|rejected)$"), timeout=180_000)
    expect(page.get_by_text(text, exact=False).first).to_be_visible()
    visitor.check("decided")
