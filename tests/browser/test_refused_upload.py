"""A participant in a real browser uploads a pickle, then a model fitted on the wrong columns: the
submit form refuses each at once, the exact cause next to the file field, no submission is made and
the team's quota is untouched; a good model then goes through with its description. Every page is
screenshotted (desktop and 375 px) and checked with axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from bounty.models import Competition, Membership, Submission, Team, TermsAcceptance
from tests.browser.support import Visitor
from tests.engine import malicious
from tests.platform.api_support import small_engine_competition
from tests.platform.precheck_support import GROUP, good_model, usage, wrong_models

pytestmark = pytest.mark.integration
PASSWORD = "a-long-pass-4-ada"


def ready_team(competition: Competition) -> Team:
    user = User.objects.create_user("ada", "ada@example.org", PASSWORD)
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name="Lovelace")
    Membership.objects.create(team=team, competition=competition, user=user)
    return team


def test_a_refused_upload_shows_its_cause_on_the_submit_form_and_costs_nothing(
    visitor: Visitor, tmp_path: Path
) -> None:
    competition = small_engine_competition(
        organizer=User.objects.create_user("org", password="org-pass-1234")
    )
    team = ready_team(competition)
    before = usage(team, competition)
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(malicious.pickle_payload(tmp_path / "ran"))
    wrong = tmp_path / "wrong-columns.skops"
    wrong.write_bytes(wrong_models()["missing column"][0])
    good = tmp_path / "good.skops"
    good.write_bytes(good_model())
    page = visitor.page

    visitor.go("/accounts/login/")
    visitor.fill("Username", "ada")
    visitor.fill("Password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    visitor.go(f"/competitions/{competition.slug}/submit/")
    expect(page.get_by_role("main")).to_contain_text("runs on a few hundred training rows")

    visitor.fill("Group", GROUP)
    page.get_by_label("Model file", exact=True).set_input_files(pickled)
    visitor.click("button", "Submit for checking")
    field = page.locator(".field.has-error").filter(has=page.get_by_label("Model file", exact=True))
    expect(field.locator(".error")).to_contain_text("This is a pickle file")
    expect(page.get_by_label("Model file", exact=True)).to_have_attribute("aria-invalid", "true")
    visitor.check("refused-pickle")

    page.get_by_label("Model file", exact=True).set_input_files(wrong)
    visitor.click("button", "Submit for checking")
    expect(field.locator(".error")).to_contain_text("columns are missing")
    expect(field.locator(".error")).to_contain_text("Age")
    visitor.check("refused-wrong-columns")
    assert not Submission.objects.exists()
    assert usage(team, competition) == before
    assert not (tmp_path / "ran").exists()

    page.get_by_label("Model file", exact=True).set_input_files(good)
    visitor.fill("Description", "Older people, <b>plain</b> logistic model")
    visitor.click("button", "Submit for checking")
    expect(page.locator("[data-role=description]")).to_have_text("Older people, <b>plain</b> logistic model")
    visitor.check("submitted-with-description")
    assert usage(team, competition).used_today == before.used_today + 1
