"""A participant in a real browser reads a competition's Data tab (columns, types, allowed values,
protected attributes, rows per split), downloads the base model's predictions from it, sees the
deadline counted down live and the team's remaining quota, and opens a doc the pages link to. Every
page is screenshotted (desktop and 375 px) and checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from bounty.models import Competition, Membership, Team, TermsAcceptance
from bounty.selectors.docs import DOCS
from tests.browser.support import Visitor
from tests.platform.engine_world import engine_competition

pytestmark = pytest.mark.integration
PASSWORD = "a-long-pass-4-ada"


def ready_user(competition: Competition) -> User:
    user = User.objects.create_user("ada", "ada@example.org", PASSWORD)
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name="Lovelace")
    Membership.objects.create(team=team, competition=competition, user=user)
    return user


def test_a_participant_reads_the_data_tab_and_downloads_the_baseline(visitor: Visitor) -> None:
    org = User.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=org, daily_quota=5, total_quota=40)
    Competition.objects.filter(pk=competition.pk).update(closes_at=timezone.now() + timedelta(minutes=30))
    ready_user(competition)
    page = visitor.page

    visitor.go("/accounts/login/")
    visitor.fill("Username", "ada")
    visitor.fill("Password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    visitor.go(f"/competitions/{competition.slug}/")
    deadline = page.locator("[data-deadline]")
    expect(deadline).to_contain_text("UTC")
    # the script counts down to the second once the deadline is near (the server's text stops at minutes)
    expect(deadline.locator("[data-countdown-left]")).to_have_text(
        re.compile(r"^\(in \d+ minutes?, \d+ seconds?\)$")
    )
    expect(page.locator("[data-quota-today]")).to_contain_text("5")
    expect(page.locator("[data-quota-total]")).to_contain_text("40")
    visitor.check("competition-deadline-quota")

    visitor.tab("Data")
    expect(page).to_have_url(re.compile(rf"/competitions/{competition.slug}/data/$"))
    columns = page.get_by_role("table", name="The feature columns, their types and allowed values")
    schema = competition.schema
    expect(columns.locator("tbody tr")).to_have_count(len(schema["columns"]))
    sex = columns.locator('tr[data-column="sex"]')
    expect(sex).to_contain_text("category")
    expect(sex).to_contain_text("Female")
    expect(sex.locator('[data-label="Protected attribute"]')).to_have_text("yes")
    expect(page.locator('[data-rows="train"]')).to_have_text(str(competition.data_card["rows"]["train"]))
    visitor.check("data-tab")

    with page.expect_download() as download:
        page.get_by_role("link", name="The base model's predictions on the train rows").click()
    assert download.value.suggested_filename == f"{competition.slug}-train-baseline.csv"

    page.get_by_role("link", name="how to write a group").click()
    expect(page.get_by_role("heading", name="Writing a group", level=1)).to_be_visible()
    visitor.check("doc-groups")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Documentation").click()
    visitor.check("docs")
    for name in DOCS:  # every doc reads on a phone and passes axe
        visitor.go(f"/docs/{name}/")
        visitor.check(f"doc-{name}")

    visitor.go(f"/competitions/{competition.slug}/submit/")
    expect(page.locator("[data-quota-today]")).to_contain_text("5")
    expect(page.get_by_role("link", name="model file formats")).to_have_attribute(
        "href", "/docs/model-formats/"
    )
    visitor.check("submit-quota")
