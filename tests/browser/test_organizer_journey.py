"""An organizer in a real browser: create a competition in the wizard from CSV uploads (one with a
ragged row, which the Values step shows with its row number) and an uploaded base model, the long
steps running in the worker behind a self-refreshing progress page; open it, review the worker's
decisions, approve a held pair, roll back (after a page showing what it undoes) and export. Every
page is screenshotted (desktop and 375 px) and checked with axe-core."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from bounty.models import Competition, Submission
from tests.browser.support import Visitor, wait_until
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import world
from tests.platform.organizer_support import SCRIPT, submit, team_member, weak_base

pytestmark = pytest.mark.integration
PASSWORD = "org-pass-123456"
JOB_MS = 90_000  # a background step, then the progress page's next refresh


def split_files(folder: Path) -> dict[str, Path]:
    paths = {}
    for name, frame in world().splits.items():
        paths[name] = folder / f"{name}.csv"
        frame.drop(columns=["fnlwgt"]).to_csv(paths[name], index=False)
    with paths["train"].open("a") as train:  # a ragged row: one field too many, data row 3001
        train.write(",".join(["1"] * (len(world().splits["train"].columns) + 1)) + "\n")
    paths["model"] = folder / "base.skops"
    paths["model"].write_bytes(weak_base())
    return paths


def statuses(competition: Competition) -> list[str]:
    return list(competition.submissions.order_by("seq").values_list("status", flat=True))


def test_an_organizer_creates_opens_reviews_rolls_back_and_exports(
    visitor: Visitor, worker: LiveWorker, tmp_path: Path
) -> None:
    org = User.objects.create_user("org", "org@example.org", PASSWORD)
    org.groups.add(Group.objects.get_or_create(name="organizers")[0])
    files = split_files(tmp_path)
    page = visitor.page

    visitor.go("/accounts/login/")
    visitor.check("login")
    visitor.fill("Username", "org")
    visitor.fill("Password", PASSWORD)
    visitor.click("button", "Log in")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="New competition").click()
    visitor.check("wizard-start")
    visitor.fill("Title", "Census")
    visitor.fill("Slug", "census")
    visitor.click("button", "Start")

    visitor.check("wizard-data")
    page.get_by_label("Train split", exact=True).set_input_files(files["train"])
    page.get_by_label("Holdout split (hidden)", exact=True).set_input_files(files["holdout"])
    page.get_by_label("Confirmation split (hidden)", exact=True).set_input_files(files["confirmation"])
    visitor.click("button", "Upload and continue")

    expect(page.get_by_role("heading", name="Census: values")).to_be_visible(timeout=JOB_MS)
    expect(page.get_by_text("train.csv: 1 row, first: row 3001")).to_be_visible()
    visitor.check("wizard-values")
    page.get_by_label("drop: leave these rows out of every split").check()
    visitor.click("button", "Apply these choices and continue")

    expect(page.get_by_role("heading", name="Census: schema")).to_be_visible()
    visitor.check("wizard-schema")
    visitor.click("button", "Check the data and continue")

    expect(page.get_by_role("heading", name="Census: base model")).to_be_visible(timeout=JOB_MS)
    visitor.check("wizard-model")
    page.get_by_label("Upload a model file").check()
    page.get_by_label("Model file (skops, or an ONNX upload)").set_input_files(files["model"])
    visitor.click("button", "Continue")

    expect(page.get_by_role("heading", name="Census: rules")).to_be_visible()
    expect(page.get_by_role("heading", name="Pre-flight check")).to_be_visible()
    assert float(page.get_by_label("z (standard errors of margin)").input_value()) > 0  # suggested, not 0
    visitor.fill("alpha (minimum gain)", "0.001")
    visitor.fill("z (standard errors of margin)", "0")  # the scripted pairs are built for the paper's rule
    visitor.fill("Terms", "Be fair.")
    visitor.fill("Description", "Find groups the census model fails.")
    visitor.check("wizard-rules")
    visitor.click("button", "Continue to the review")

    expect(page.get_by_role("heading", name="Pre-flight check")).to_be_visible()
    visitor.check("wizard-review")
    visitor.click("button", "Create the competition")
    expect(page.get_by_text("This competition is a draft")).to_be_visible(timeout=JOB_MS)
    visitor.check("competition-draft")
    visitor.click("button", "Open the competition")
    expect(page.locator(".page-head .badge")).to_have_text("Open")

    competition = Competition.objects.get(slug="census")
    users = {team: team_member(competition, team) for team in ("A", "B", "C")}
    for team, text in SCRIPT[:2]:
        submit(competition, users[team], text)
    wait_until(lambda: statuses(competition) == ["accepted"] * 2, what="two accepted pairs")

    page.get_by_role("link", name="Console: review queue", exact=False).click()
    decisions = page.locator("section", has=page.get_by_role("heading", name="Decisions"))
    expect(decisions.locator("tbody tr")).to_have_count(2)
    visitor.check("console")

    page.get_by_label("Hold accepted pairs for my approval").check()
    page.locator("#approval-reason").fill("final week")
    page.locator("form", has=page.locator("#approval-reason")).get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Manual approval is on.")
    team, text = SCRIPT[2]
    submit(competition, users[team], text)
    wait_until(lambda: statuses(competition)[-1] == "awaiting_approval", what="a pair held for approval")
    page.reload()
    queue = page.locator("#queue")
    expect(queue.locator("tbody tr")).to_have_count(1)
    visitor.check("console-awaiting")
    queue.get_by_label("Note").fill("checked by hand")
    queue.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved: accepted")
    assert statuses(competition) == ["accepted"] * 3

    page.get_by_label("Roll back to version").select_option("v2")
    page.locator("#rollback-reason").fill("undo the last update")
    page.get_by_role("button", name="Roll back…").click()
    expect(page.get_by_role("heading", name="Roll back to v2?")).to_be_visible()  # nothing changed yet
    undone = competition.submissions.order_by("seq").last()
    assert undone is not None and statuses(competition) == ["accepted"] * 3
    assert competition.versions.count() == 4  # v0 to v3: the rollback has not run
    expect(page.get_by_text(f"#{undone.pk} · {undone.team.name}")).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_value("undo the last update")
    visitor.check("console-rollback-confirm")
    page.get_by_role("button", name="Roll back to v2").click()
    expect(page.get_by_role("status")).to_contain_text("Rolled back: v4 predicts as v2 did.")
    visitor.check("console-rolled-back")

    with page.expect_download() as download:
        page.get_by_role("link", name="All submissions (CSV, with organizer figures)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [row["status"] for row in rows] == ["accepted"] * 3
    with page.expect_download() as bundle:
        page.get_by_role("link", name="Model bundle (zip) of v4").click()
    assert Path(bundle.value.path()).read_bytes()[:2] == b"PK"
    assert Submission.objects.filter(competition=competition, standing__counts=False).count() == 1
