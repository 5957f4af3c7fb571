"""The public reports page and the model card: real engine data, charts, suppression, caching."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, Submission
from bounty.selectors.reports import holdout_figures
from bounty.storage import data_dir
from tests.platform.conftest import login
from tests.platform.engine_world import engine_competition
from tests.platform.reports_world import SMALL_GROUPS, decide, join, svg_ids, svgs

MARRIED = 'marital_status in ["Married-civ-spouse"]'
WOMEN_40 = 'sex == "Female" and age >= 40'


@pytest.fixture
def census(make_user: Callable[..., User], enqueued: list[int]) -> Competition:
    """An open competition with accepted updates from two teams."""
    competition = engine_competition(organizer=make_user("grace"))
    ada, bob = make_user("ada"), make_user("bob")
    join(ada, competition, "Lovelace")
    join(bob, competition, "Babbage")
    assert decide(competition, ada, MARRIED).status == Submission.Status.ACCEPTED
    decide(competition, bob, WOMEN_40)
    # Holdout figures are public once a competition closes; most tests here read them as the public.
    Competition.objects.filter(pk=competition.pk).update(status=Competition.Status.CLOSED)
    competition.refresh_from_db()
    return competition


def test_holdout_figures_are_for_organizers_only_while_the_competition_is_open(census: Competition) -> None:
    Competition.objects.filter(pk=census.pk).update(status=Competition.Status.OPEN)
    public = Client().get(reverse("reports", args=[census.slug])).content.decode()
    assert "published when the competition" in public
    assert not {"loss-history", "coverage", "holdout-sex"} & svg_ids(public)
    assert "usage" in svg_ids(public)  # which attributes teams looked at is not holdout-derived
    card = Client().get(reverse("model_card", args=[census.slug])).content.decode()
    assert "Current holdout loss" not in card
    organizer = User.objects.get(username="grace")
    staff_view = login(organizer).get(reverse("reports", args=[census.slug])).content.decode()
    assert {"loss-history", "coverage", "holdout-sex"} <= svg_ids(staff_view)


def test_reports_page_shows_every_chart_with_a_table(census: Competition) -> None:
    response = Client().get(reverse("reports", args=[census.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    ids = svg_ids(html)
    assert {"loss-history", "coverage", "usage"} <= ids
    assert {"holdout-sex", "holdout-race", "holdout-age", "holdout-marital_status"} <= ids
    assert html.count("<table") >= len(ids)  # every chart has its table
    assert "Lovelace" in html and "base model (holdout)" in html


def test_suppressed_small_groups_never_show(census: Competition) -> None:
    client = Client()
    pages = [
        client.get(reverse("reports", args=[census.slug])).content.decode(),
        client.get(reverse("model_card", args=[census.slug])).content.decode(),
    ]
    for html in pages:
        for name in SMALL_GROUPS:
            assert name not in html
    figures = holdout_figures(competition=census)
    assert figures is not None
    shown = {g.group for g in figures.report.groups}
    assert "White" in shown and not shown & set(SMALL_GROUPS)


def test_report_figures_are_rounded_to_three_decimals(census: Competition) -> None:
    figures = holdout_figures(competition=census)
    assert figures is not None
    for group in figures.report.groups:
        for model in figures.report.models:
            for value in group.metrics[model].values():
                assert value is None or value == round(value, 3)
    assert all(c.share == round(c.share, 3) for c in figures.coverage)


def test_report_is_cached_per_version(census: Competition) -> None:
    first = holdout_figures(competition=census)
    files = list((data_dir() / "reports" / str(census.pk)).glob("holdout-v*.json"))
    assert len(files) == 1 and f"holdout-v{census.head_version}-" in files[0].name
    assert holdout_figures(competition=census) == first


def test_model_card_lists_accepted_groups_in_words_and_limits(census: Competition) -> None:
    html = Client().get(reverse("model_card", args=[census.slug])).content.decode()
    assert "Model card" in html and "Known limits" in html
    assert "marital status" in html.lower() and "Married-civ-spouse" in html
    assert "The accepted updates have not been checked on the confirmation split yet." in html
    assert "card-sex" in svg_ids(html)
    assert "@media print" in Client().get("/static/css/reports.css").getvalue().decode()


def test_report_pages_of_a_competition_without_engine_data_still_render(
    competition: Competition,
) -> None:
    for name in ("reports", "model_card", "audits"):
        response = Client().get(reverse(name, args=[competition.slug]))
        assert response.status_code == 200
        assert "not available" in response.content.decode() or name == "audits"


def test_draft_reports_are_hidden_from_the_public(make_user: Callable[..., User]) -> None:
    organizer = make_user("grace")
    draft = engine_competition(organizer=organizer, slug="hidden", status=Competition.Status.DRAFT)
    assert Client().get(reverse("reports", args=[draft.slug])).status_code == 404
    assert login(organizer).get(reverse("reports", args=[draft.slug])).status_code == 200


def test_charts_escape_team_names(census: Competition) -> None:
    team = census.teams.get(name="Babbage")
    team.name = '<script>alert("x")</script>'
    team.save()
    Submission.objects.filter(team=team).update(status=Submission.Status.ACCEPTED)
    html = Client().get(reverse("reports", args=[census.slug])).content.decode()
    assert "<script>alert" not in html
    assert len(svgs(html)) >= 3  # still well-formed


def test_model_card_shows_confirmation_and_standing_of_each_update(census: Competition) -> None:
    from bounty.models import UpdateStanding

    accepted = Submission.objects.filter(competition=census, status=Submission.Status.ACCEPTED)
    first = accepted.order_by("seq").first()
    assert first is not None
    UpdateStanding.objects.create(
        submission=first, competition=census, counts=True, confirmed=True, confirmed_gain=0.0456789
    )
    public = Client().get(reverse("model_card", args=[census.slug])).content.decode()
    assert "<td>confirmed</td>" in public
    assert "organizers only" not in public and "0.0456789" not in public
    organizer = census.organizers.get()
    mine = login(organizer).get(reverse("model_card", args=[census.slug])).content.decode()
    assert "(gain 0.046, organizers only)" in mine
    assert "have not been checked on the confirmation split" not in public
