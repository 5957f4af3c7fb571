"""No public figure pins the holdout's error count closer than +/- k (issue 17, item 2).

A real engine competition (zero-one loss, so the loss sum is the number of errors) with two accepted
updates. Each test scrapes every figure of one surface and checks it against an independent count of
the holdout (``tests/platform/published_support.py``): a loss or a gain must be a multiple of the step
(the smallest nice value >= 2k / rows), so the error counts consistent with it span >= 2k; a percent
must be derived from published figures only; and the figures must equal the ones the test computes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from bounty_client.cli import main as bounty
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bounty.engine_adapter import competition_store
from bounty.errors import DomainError
from bounty.models import Competition, Submission, Team
from bounty.selectors.leaderboard import leaderboard
from bounty.selectors.published import competition_step
from bounty.selectors.reports import min_group_size
from bounty.services.notifications import notify_decision
from bounty.wizard.definition import parse_definition
from scoring.publish import DEFAULT_PUBLISH_K
from tests.platform.conftest import login
from tests.platform.engine_world import GROUP_TEXTS, engine_competition
from tests.platform.published_support import Truth, binary_figures, floor_to, nice_step, percent
from tests.platform.reports_world import decide, join

K = 3  # this competition's publish_k: small, so the 1,500-row holdout still shows some gains


@pytest.fixture
def census(make_user: Callable[..., User], enqueued: list[int]) -> Competition:
    competition = engine_competition(organizer=make_user("grace"), publish_k=K)
    ada, bob, cy = make_user("ada"), make_user("bob"), make_user("cy")
    join(cy, competition, "Idle")  # no submission: no credit
    join(ada, competition, "Lovelace")
    join(bob, competition, "Babbage")
    assert decide(competition, ada, GROUP_TEXTS[0]).status == Submission.Status.ACCEPTED
    decide(competition, bob, GROUP_TEXTS[1])
    competition.refresh_from_db()
    return competition


def truth_of(competition: Competition) -> Truth:
    """The holdout counted from the engine's labels and the base model's predictions."""
    dl = competition_store(competition).decision_list(0)
    labels, base = dl.splits["holdout"].labels, dl.base_preds["holdout"]
    rows, errors = int(labels.size), int(np.sum(base != labels))
    assert errors == round((competition.base_holdout_loss or 0) * rows)  # the loss sum is the count
    step = nice_step(rows, K)
    gains: dict[str, Fraction] = {}
    for s in competition.submissions.filter(status="accepted").select_related("team"):
        exact = Fraction(s.figures["gain"]).limit_denominator(rows)  # a whole number of errors / rows
        gains[s.team.name] = gains.get(s.team.name, Fraction(0)) + floor_to(exact, step)
    return Truth(rows, errors, K, step, gains)


def rules_of(competition: Competition, truth: Truth) -> set[str]:
    """Numbers that are rules, not holdout figures: alpha, mu_min, z and the step itself."""
    return {"0.001", "1.0", "0.01", "0.0", str(float(truth.step)), f"{float(truth.step):.3f}"}


def section(html: str, start: str, end: str = "</section>") -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_competition_page_pins_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    assert truth.rows * truth.step >= 2 * K and truth.base_errors > 0
    page = Client().get(reverse("competition", args=[census.slug])).content.decode()
    card = section(page, "<h2>Global model</h2>")
    assert truth.check(text_of(card), "competition page", rules=rules_of(census, truth)) >= 2
    base = re.search(r'data-figure="base-loss">([^<]+)<', card)
    public = re.search(r'data-figure="public-loss">([^<]+)<', card)
    assert base and Fraction(base.group(1)) == truth.base
    assert public and Fraction(public.group(1)) == truth.public_loss
    exact = f"{census.base_holdout_loss:.4f}"
    assert exact not in page or Fraction(exact) == truth.base  # the old four decimals are gone


def test_the_recent_decisions_pin_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    page = Client().get(reverse("competition", args=[census.slug])).content.decode()
    table = section(page, 'id="decisions-title"')
    gains = [Fraction(g) for g in re.findall(r'<td class="num">([0-9.]+)<', table)]
    assert sorted(gains) == sorted(g for g in truth.team_gains.values())
    truth.check(
        text_of(re.sub(r"<td>\d+</td>", "", table)), "recent decisions", rules=rules_of(census, truth)
    )


def test_the_leaderboard_html_pins_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    page = Client().get(reverse("leaderboard", args=[census.slug])).content.decode()
    main = section(page, "<h1>Leaderboard</h1>", "</main>")
    assert truth.check(text_of(main), "leaderboard", rules=rules_of(census, truth)) >= 3
    credits = [Fraction(c) for c in re.findall(r"<strong>([0-9.]+)%</strong>", main)]
    gains = sorted((g for g in truth.team_gains.values() if g > 0), reverse=True)
    zeros = [Fraction(0)] * (len(credits) - len(gains))
    assert credits == [percent(g, truth.base) for g in gains] + zeros


def test_the_leaderboard_api_pins_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    board = Client().get(f"/api/v1/competitions/{census.slug}/leaderboard").json()
    by_team = {row["team"]: row for row in board}
    for team, gain in truth.team_gains.items():
        assert Fraction(str(by_team[team]["gain"])) == gain
        assert Fraction(str(by_team[team]["credit_percent"])) in truth.percents()
    figures = [str(v) for row in board for v in (row["gain"], *(u["public_gain"] for u in row["updates"]))]
    truth.check(" ".join(figures), "leaderboard API")
    truth.check(" ".join(f"{row['credit_percent']}%" for row in board), "leaderboard API credit")


def test_the_leaderboard_csv_pins_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    response = Client().get(reverse("leaderboard_csv", args=[census.slug]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    truth.check(" ".join(r["gain"] for r in rows), "leaderboard CSV")
    truth.check(" ".join(f"{r['credit_percent']}%" for r in rows), "leaderboard CSV credit")
    api = Client().get(f"/api/v1/competitions/{census.slug}/leaderboard").json()
    assert [(r["team"], float(r["credit_percent"])) for r in rows] == [
        (r["team"], r["credit_percent"]) for r in api
    ]  # the same unit and rounding as the API


@pytest.mark.django_db(transaction=True)
def test_the_leaderboard_cli_pins_no_error_count(
    make_user: Callable[..., User], live_server: Any, enqueued: list[int]
) -> None:
    competition = engine_competition(organizer=make_user("grace"), publish_k=K)
    ada = make_user("ada")
    join(ada, competition, "Lovelace")
    assert decide(competition, ada, GROUP_TEXTS[0]).status == Submission.Status.ACCEPTED
    truth = truth_of(competition)
    out, err = io.StringIO(), io.StringIO()
    token = Token.objects.get_or_create(user=ada)[0].key
    server = str(live_server).rstrip("/")
    assert (
        bounty(["--server", server, "--token", token, "leaderboard", competition.slug], out=out, err=err) == 0
    )
    table = out.getvalue()
    assert truth.check(table, "leaderboard CLI") >= 2
    web = Client().get(reverse("leaderboard", args=[competition.slug])).content.decode()
    credit = re.search(r"<strong>([0-9.]+%)</strong>", web)
    assert credit and re.search(rf"Lovelace\s+{re.escape(credit.group(1))}\s", table), table  # as on the web


def test_the_metrics_and_versions_api_pin_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    metrics = Client().get(f"/api/v1/competitions/{census.slug}/metrics").json()
    assert Fraction(str(metrics["step"])) == truth.step and metrics["publish_k"] == K
    assert Fraction(str(metrics["base_loss"])) == truth.base
    assert Fraction(str(metrics["public_loss"])) == truth.public_loss
    truth.check(f"{metrics['base_loss']} {metrics['public_loss']}", "metrics API")
    truth.check(f"{metrics['current_loss_percent']}% {metrics['improvement_percent']}%", "metrics API")
    versions = Client().get(f"/api/v1/competitions/{census.slug}/versions").json()
    shown = [str(v["public_gain"]) for v in versions if v["public_gain"] is not None]
    assert len(shown) == len(truth.team_gains) and truth.check(" ".join(shown), "versions API") == len(shown)
    assert "holdout_loss" not in json.dumps(versions)


def test_the_reports_pin_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    page = (
        login(User.objects.get(username="grace")).get(reverse("reports", args=[census.slug])).content.decode()
    )
    history = section(page, "<tbody>", "</tbody>")
    holdout = [Fraction(v) for v in re.findall(r"</td><td>([0-9.]+)</td><td>", history)]
    assert holdout[0] == truth.base and holdout[-1] == truth.public_loss
    truth.check(" ".join(re.findall(r"</td><td>([0-9.]+)</td><td>", history)), "reports: loss history")
    check_report_tables(census, page, "reports")


def test_the_model_card_pins_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    page = (
        login(User.objects.get(username="grace"))
        .get(reverse("model_card", args=[census.slug]))
        .content.decode()
    )
    base = re.search(r'data-figure="base-loss">([^<]+)<', page)
    public = re.search(r'data-figure="public-loss">([^<]+)<', page)
    assert base and Fraction(base.group(1)) == truth.base
    assert public and Fraction(public.group(1)) == truth.public_loss
    check_report_tables(census, page, "model card")


def check_report_tables(competition: Competition, page: str, where: str) -> None:
    """The overall row and the rows by sex equal the test's own counts, each published at the step
    of the rows it counts (so each leaves >= 2k counts of its own rows consistent)."""
    store = competition_store(competition)
    head = store.decision_list(competition.head_version)
    y = head.splits["holdout"].labels
    preds = {"base": store.decision_list(0).base_preds["holdout"], "current": head.predictions("holdout")}
    size = min_group_size()
    overall = section(page, "<caption>All rows</caption>", "</table>")
    cells = re.findall(r"<td>([^<]+)</td>", overall)
    expected = [*binary_figures(y, preds["base"], K, size), *binary_figures(y, preds["current"], K, size)]
    assert [None if c == "—" else Fraction(c) for c in cells] == expected, where
    sex = np.asarray(store.frame("holdout")["sex"].astype(str))
    table = section(page, "By sex</h3>")
    for group in ("Female", "Male"):
        row = re.search(rf'<th scope="row">{group}</th><td>[^<]+</td>(.*?)</tr>', table)
        assert row, (where, group)
        mask = sex == group
        want = [*binary_figures(y[mask], preds["base"][mask], K, size)]
        want += binary_figures(y[mask], preds["current"][mask], K, size)
        got = [None if c == "—" else Fraction(c) for c in re.findall(r"<td>([^<]+)</td>", row.group(1))]
        assert got == want, (where, group)


def _accepted(team: Team, seq: int, gain: float) -> None:
    Submission.objects.create(
        competition=team.competition, team=team, author=User.objects.get(username="ada"), seq=seq,
        group_tree={"col": "age", "op": ">=", "value": 60.0}, model_sha256="d" * 64,
        model_format="skops", status="accepted", reason="accepted", public_gain=gain,
    )  # fmt: skip


def test_the_leaderboard_breaks_ties_by_the_earlier_accepted_submission_and_puts_teams_without_credit_last(
    competition: Competition, make_user: Callable[..., User]
) -> None:
    make_user("ada")
    names = ("Zed", "Tie late", "Alpha", "Tie early", "Top")  # created in this order
    teams = {n: Team.objects.create(competition=competition, name=n) for n in names}
    _accepted(teams["Tie early"], 2, 0.01)
    _accepted(teams["Tie late"], 3, 0.01)
    _accepted(teams["Top"], 4, 0.02)
    _accepted(teams["Tie early"], 5, 0.0)  # accepted later with no published gain: the tie stands
    expected = ["Top", "Tie early", "Tie late", "Zed", "Alpha"]  # no credit: in creation order
    assert [r.team.name for r in leaderboard(competition=competition)] == expected
    api = Client().get(f"/api/v1/competitions/{competition.slug}/leaderboard").json()
    assert [(r["rank"], r["team"]) for r in api] == list(enumerate(expected, start=1))
    assert [r["credit_percent"] for r in api] == [10.0, 5.0, 5.0, 0.0, 0.0]  # of the base loss 0.2
    rows = list(
        csv.DictReader(
            io.StringIO(Client().get(reverse("leaderboard_csv", args=[competition.slug])).content.decode())
        )
    )
    assert [(r["team"], r["credit_percent"]) for r in rows] == list(
        zip(expected, ["10.00", "5.00", "5.00", "0.00", "0.00"], strict=True)
    )
    page = Client().get(reverse("leaderboard", args=[competition.slug])).content.decode()
    assert re.findall(r'<th scope="row" data-label="Team">([^<]+)</th>', page) == expected
    assert re.findall(r"<strong>([^<]+)</strong>", section(page, "<tbody>", "</tbody>")) == [
        "10.00%", "5.00%", "5.00%", "0.00%", "0.00%",
    ]  # fmt: skip


@pytest.mark.parametrize("bad", ["0", "2.5", "true", "-1"])
def test_a_definition_refuses_a_publish_k_that_is_not_a_whole_number_of_at_least_one(bad: str) -> None:
    text = f"slug: s\ntitle: T\ndata: {{file: d.csv}}\nrules: {{alpha: 0.01, publish_k: {bad}}}\n"
    with pytest.raises(DomainError) as refused:
        parse_definition(text)
    assert refused.value.field == "rules.publish_k" or refused.value.field == "rules"


def test_a_definition_sets_publish_k_and_a_competition_without_it_has_the_default(
    competition: Competition,
) -> None:
    assert parse_definition("slug: s\ntitle: T\ndata: {file: d.csv}\nrules: {publish_k: 25}\n").rules == {
        "publish_k": 25
    }
    assert competition_step(competition).k == DEFAULT_PUBLISH_K  # created without one: the default
    assert competition_step(competition).step == 0.001  # 2 x 10 / 20,000 rows


def test_the_decision_emails_pin_no_error_count(census: Competition) -> None:
    truth = truth_of(census)
    for user in User.objects.all():
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.org")
    mail.outbox.clear()
    for submission in census.submissions.filter(status="accepted"):
        notify_decision(submission_id=submission.pk)
    assert mail.outbox
    for message in mail.outbox:
        rules = {str(float(truth.step))}  # "rounded down to a multiple of 0.002"
        assert truth.check(str(message.body), f"email {message.subject}", rules=rules)
