"""What a competition's pages tell a participant beyond the rules: the Data tab (columns, types,
allowed values, protected attributes, rows per split, the two files), the team's remaining quota, the
deadline in UTC with its countdown, the docs as pages of the site, and reports that say what they
hold back and until when."""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bounty.models import Competition, Submission
from bounty.selectors.docs import DOCS, doc_links
from tests.platform.conftest import login, model_upload
from tests.platform.engine_world import engine_competition
from tests.platform.reports_world import decide, join

MARRIED = 'marital_status in ["Married-civ-spouse"]'


# -- the Data tab ------------------------------------------------------------------------------------
def test_data_tab_lists_every_column_with_its_type_values_and_protection(
    competition: Competition, ready_participant: User
) -> None:
    page = login(ready_participant).get(reverse("data", args=[competition.slug])).content.decode()
    age = re.search(r'<tr data-column="age">.*?</tr>', page, re.S)
    sex = re.search(r'<tr data-column="sex">.*?</tr>', page, re.S)
    assert age and sex
    assert "number" in age.group(0) and "any number" in age.group(0) and ">no<" in age.group(0)
    assert "category" in sex.group(0) and "<code>Female</code>, <code>Male</code>" in sex.group(0)
    assert "<strong>yes</strong>" in sex.group(0)  # the protected attribute
    for split, count in competition.data_card["rows"].items():
        assert f'data-rows="{split}">{count}<' in page
    assert 'aria-current="page">Data</a>' in page


def test_data_tab_links_both_files_once_the_terms_are_accepted(
    competition: Competition, ready_participant: User, participant: User
) -> None:
    train = reverse("train_download", args=[competition.slug])
    baseline = reverse("train_baseline_download", args=[competition.slug])
    page = login(ready_participant).get(reverse("data", args=[competition.slug])).content.decode()
    assert f'href="{train}"' in page and f'href="{baseline}"' in page
    anonymous = Client().get(reverse("data", args=[competition.slug])).content.decode()
    assert train not in anonymous and baseline not in anonymous and "Log in" in anonymous


def test_data_tab_reads_the_schema_the_store_decides_with(
    competition: Competition, ready_participant: User
) -> None:
    schema = dict(competition.schema)
    schema["columns"] = [{"name": "age", "kind": "numeric"}, {"name": "sex", "kind": "categorical",
                                                              "categories": ["X", "Y"]}]  # fmt: skip
    Competition.objects.filter(pk=competition.pk).update(schema=schema)  # the database's copy drifts
    page = login(ready_participant).get(reverse("data", args=[competition.slug])).content.decode()
    assert "<code>Female</code>, <code>Male</code>" in page and "<code>X</code>" not in page


# -- the quota, the deadline -------------------------------------------------------------------------
def test_competition_and_submit_pages_show_the_quota_left_today_and_in_all(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    web = login(ready_participant)
    before = web.get(reverse("competition", args=[competition.slug])).content.decode()
    assert re.search(r"data-quota-today>3 <span class=\"muted\">\(0 of 3 used\)", before)
    upload = {"group_text": "age >= 60", "model_file": model_upload()}
    assert web.post(reverse("submit", args=[competition.slug]), upload).status_code == 302
    for name in ("competition", "submit"):
        page = web.get(reverse(name, args=[competition.slug])).content.decode()
        assert re.search(r"data-quota-today>2 <span class=\"muted\">\(1 of 3 used\)", page), name
        assert re.search(r"data-quota-total>4 <span class=\"muted\">\(1 of 5 used\)", page), name


def test_the_deadline_is_shown_in_utc_with_a_countdown_that_works_without_script(
    competition: Competition, ready_participant: User
) -> None:
    closes = timezone.now().replace(microsecond=0) + timedelta(days=3, hours=5)
    Competition.objects.filter(pk=competition.pk).update(closes_at=closes)
    for web, name in ((Client(), "competition"), (login(ready_participant), "submit")):
        page = web.get(reverse(name, args=[competition.slug])).content.decode()
        stamp = closes.strftime("%Y-%m-%dT%H:%M:%S")
        assert f'<time datetime="{stamp}+00:00" data-countdown>' in page, name
        assert f"{closes.day} {closes.strftime('%b %Y, %H:%M')} UTC</time>" in page
        assert re.search(r"data-countdown-left>\(in 3\xa0days, [45]\xa0hours\)", page), name
        assert "js/countdown.js" in page
    Competition.objects.filter(pk=competition.pk).update(
        opens_at=closes - timedelta(days=10), closes_at=timezone.now() - timedelta(hours=1)
    )
    page = Client().get(reverse("competition", args=[competition.slug])).content.decode()
    assert "Submissions closed on" in page and "data-countdown-left" not in page


# -- the docs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_listed_doc_is_a_page_of_the_site(name: str, db: None) -> None:
    index = Client().get(reverse("docs")).content.decode()
    assert f'href="/docs/{name}/"' in index
    page = Client().get(f"/docs/{name}/")
    assert page.status_code == 200 and "<h1" in page.content.decode()
    assert not re.search(r'href="[^"]*\b(?:docs/)?[a-z-]+\.md', page.content.decode())  # doc links resolved


@pytest.mark.parametrize(
    "path", ["/docs/README/", "/docs/nothing/", "/docs/..%2Fpyproject/", "/docs/../settings/"]
)
def test_only_the_listed_docs_are_served(path: str, db: None) -> None:
    assert Client().get(path).status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("doc", args=["../README"])


def test_messages_that_cite_a_doc_link_to_its_page() -> None:
    html = doc_links("Refused <b> (see docs/model-formats.md); docs/secrets.md stays text.")
    assert '<a href="/docs/model-formats/">docs/model-formats.md</a>' in html
    assert "&lt;b&gt;" in html and "docs/secrets.md stays" in html and "/docs/secrets/" not in html


def test_a_refusal_that_cites_a_doc_links_to_its_page(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    upload = {"group_text": "age >= 60", "model_file": model_upload(pickle.dumps({"a": 1}), "m.pkl")}
    page = login(ready_participant).post(reverse("submit", args=[competition.slug]), upload)
    assert page.status_code == 400
    assert '<a href="/docs/model-formats/">docs/model-formats.md</a>' in page.content.decode()


def test_pages_cite_the_docs_by_link_not_by_path(competition: Competition, ready_participant: User) -> None:
    page = login(ready_participant).get(reverse("submit", args=[competition.slug])).content.decode()
    assert 'href="/docs/model-formats/"' in page and 'href="/docs/groups/"' in page
    assert not re.search(r"docs/[a-z-]+\.md", page)
    templates = Path(settings.REPO_DIR) / "templates"
    citing = [p.name for p in templates.rglob("*.html") if re.search(r"docs/[a-z-]+\.md", p.read_text())]
    assert citing == []  # no template names a repository path where a link belongs


# -- the reports while the holdout figures are held back ---------------------------------------------
@pytest.fixture
def running(make_user: Callable[..., User], enqueued: list[int]) -> Competition:
    """An open competition: one accepted update, a team with a rejection only, a team with nothing."""
    competition = engine_competition(organizer=make_user("grace"))
    ada, bob, cy = make_user("ada"), make_user("bob"), make_user("cy")
    join(ada, competition, "Lovelace")
    join(bob, competition, "Babbage")
    join(cy, competition, "Idle hands")
    assert decide(competition, ada, MARRIED).status == Submission.Status.ACCEPTED
    return competition


def test_reports_say_what_is_hidden_and_until_when(running: Competition) -> None:
    page = Client().get(reverse("reports", args=[running.slug])).content.decode()
    closes = running.closes_at.strftime("%Y-%m-%dT%H:%M:%S")
    versions = re.search(r'data-hidden="versions">(.*?)</p>', page, re.S)
    coverage = re.search(r'data-hidden="coverage">(.*?)</p>', page, re.S)
    assert versions and coverage
    assert versions.group(1).startswith("2 versions of the model so far")
    assert coverage.group(1).startswith("1 update accepted so far")
    for found in (versions, coverage):
        assert "hidden until the competition closes" in found.group(1) and closes in found.group(1)
    assert "No versions yet" not in page and "No update has been accepted yet" not in page


def test_attribute_heatmap_has_a_legend_and_a_row_for_every_team(running: Competition) -> None:
    page = Client().get(reverse("reports", args=[running.slug])).content.decode()
    usage = page[page.index('id="usage-title"') :]
    for team in ("Lovelace", "Babbage", "Idle hands"):
        assert re.search(rf'<th scope="row">{team}</th>', usage), team
    assert 'class="legend-swatch"' in usage and "0 accepted groups" in usage
