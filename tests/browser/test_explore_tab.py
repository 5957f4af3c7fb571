"""A participant in a real browser opens the Explore tab, waits while the worker searches the current
version on the train split, reads the top groups and the loss by a column, and opens the fitting form
with the worst group filled in (the whole no-code journey: ``test_no_code_journey``). Every page is
screenshotted (desktop and 375 px) and checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.support import Visitor
from tests.browser.test_data_tab import PASSWORD, ready_user
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import engine_competition

pytestmark = pytest.mark.integration
TOP_GROUPS = re.compile("^The top groups by score")


def test_a_participant_explores_and_opens_a_fit_for_the_worst_group(
    visitor: Visitor, worker: LiveWorker
) -> None:
    org = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=org, slug="explore-census")
    ready_user(competition)
    page = visitor.page
    visitor.go("/accounts/login/")
    visitor.fill("Username", "ada")
    visitor.fill("Password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    visitor.go(f"/competitions/{competition.slug}/")

    visitor.tab("Explore")
    groups = page.get_by_role("table", name=TOP_GROUPS)
    expect(groups).to_be_visible(timeout=120_000)  # the page refreshes itself until the worker is done
    first = groups.locator('tr[data-slice="1"]')
    text = first.locator("code").inner_text()
    expect(first.locator('[data-label="Rows"]')).to_have_text(re.compile(r"^[\d,]+$"))
    visitor.check("explore")

    page.get_by_label("Column", exact=True).select_option("sex")
    page.get_by_role("button", name="Show").first.click()
    expect(page.locator('table[data-column="sex"]')).to_contain_text('sex == "Female"')
    visitor.check("explore-by-column")

    first = page.get_by_role("table", name=TOP_GROUPS).locator('tr[data-slice="1"]')
    first.get_by_role("link", name=re.compile("^Fit a model for this group")).click()
    expect(page).to_have_url(re.compile(rf"/competitions/{competition.slug}/fit/\?group="))
    expect(page.get_by_label("Group", exact=True)).to_have_value(text)
    visitor.check("fit-form")
