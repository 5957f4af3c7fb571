"""After accepts, a rollback, a disqualification and a re-accept, every surface tells the same truth
about every submission, team and the model, and it is the truth of an independent replay.

A real worker decides the submissions; the organizer acts through the console's forms. The expected
state is not read from the platform's own records: a fresh engine store, built from the same data and
base model, commits the pairs that should make up the head model (with the engine's own check), and the
test compares the platform's head with it (holdout loss and predictions) and every surface (pages, API
JSON, the ``bounty`` command line, CSV exports, the model card, emails and notices) with what follows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bounty_client.cli import main as bounty
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bounty.engine_adapter import competition_store
from bounty.models import Competition, Notice, Submission
from bounty.selectors.published import competition_step
from scoring import groups
from scoring.engine import Rules, Store, create_store, public_gain
from scoring.publish import percent_of
from tests.platform.conftest import LiveWorker, login
from tests.platform.engine_world import pair_model, world
from tests.platform.organizer_support import SCRIPT, team_member, weak_base, weak_competition
from tests.platform.security_support import wait_until_decided

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ALPHA, MU_MIN = 0.001, 0.01  # engine_competition's rules
ROLLBACK_REASON = "the merge of team B broke the calibration"
DISQUALIFY_REASON = "Team A shared holdout guesses"


@dataclass
class Story:
    server: str  # the live server the command-line client talks to
    competition: Competition
    organizer: User
    users: dict[str, User]
    subs: dict[str, Submission]  # C1, A1, B1, A2 (SCRIPT, in order), then B2
    rolled_back_in: int
    disqualified_in: int


def submit(web: Client, competition: Competition, text: str) -> Submission:
    upload = SimpleUploadedFile("model.skops", pair_model(text))
    response = web.post(
        reverse("submit", args=[competition.slug]), {"group_text": text, "model_file": upload}
    )
    assert response.status_code == 302, response.content[:500]
    return wait_until_decided(Submission.objects.latest("pk").pk)


def console(web: Client, competition: Competition, action: str, data: dict[str, Any]) -> None:
    """An organizer action, confirmed (roll back, disqualify and close show what they change first)."""
    confirmed = {"confirm": "1", "head": Competition.objects.get(pk=competition.pk).head_version}
    response = web.post(reverse(f"console:{action}", args=[competition.slug]), {**data, **confirmed})
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def story(live_worker: LiveWorker, live_server: Any) -> Story:
    organizer = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(organizer)
    users = {team: team_member(competition, team) for team in ("A", "B", "C")}
    webs = {team: login(user) for team, user in users.items()}
    subs: dict[str, Submission] = {}
    for (team, text), name in zip(SCRIPT, ("C1", "A1", "B1", "A2"), strict=True):
        subs[name] = submit(webs[team], competition, text)
    assert all(s.status == "accepted" for s in subs.values())
    org = login(organizer)
    target = subs["A1"].versions.get(kind="update").number
    console(org, competition, "rollback", {"version": target, "reason": ROLLBACK_REASON})
    competition.refresh_from_db()
    rolled_back_in = competition.head_version
    team_a = users["A"].memberships.get().team
    console(org, competition, "disqualify", {"team": team_a.pk, "reason": DISQUALIFY_REASON})
    competition.refresh_from_db()
    disqualified_in = competition.head_version
    subs["B2"] = submit(webs["B"], competition, SCRIPT[2][1])  # B's group again, on the rebuilt model
    competition.refresh_from_db()
    for name, submission in subs.items():
        subs[name] = Submission.objects.get(pk=submission.pk)
    server = str(live_server).rstrip("/")
    return Story(server, competition, organizer, users, subs, rolled_back_in, disqualified_in)


# -- the independent replay -------------------------------------------------------------------------
@dataclass(frozen=True)
class Replay:
    counting: list[str]  # the submissions whose updates make up the head model, in arrival order
    holdout_loss: float
    predictions: dict[str, np.ndarray]


def replay(tmp_path: Path, story: Story, pairs: list[str]) -> Replay:
    """A fresh store with the competition's data and base model commits ``pairs`` in order."""
    w = world()
    store = create_store(
        directory=tmp_path / "replay",
        schema=w.schema,
        loss="zero_one",
        rules=Rules(alpha=ALPHA, mu_min=MU_MIN),
        splits={k: v.copy() for k, v in w.splits.items()},
        base_model=weak_base(),
    )
    head, counting = 0, []
    for name in pairs:
        submission = story.subs[name]
        tree = groups.parse_text(submission.group_text, w.schema)
        evaluation = store.evaluate(group=tree, model=pair_model(submission.group_text))
        decision, versions = store.commit(evaluation, label=str(submission.pk), head=head)
        if decision.accepted:
            counting.append(name)
            head = versions[-1].number
    dl = store.decision_list(head)
    predictions = {split: dl.predictions(split).copy() for split in ("holdout", "confirmation")}
    return Replay(counting, dl.current_losses()["holdout"], predictions)


def expected_labels(story: Story, counting: list[str]) -> dict[str, str]:
    labels = {name: "Accepted" for name in counting}
    labels["A1"] = f"Accepted, removed in v{story.disqualified_in}: team disqualified"
    for name in ("B1", "A2"):
        labels[name] = f"Accepted, rolled back in v{story.rolled_back_in}"
    return labels


# -- reading the surfaces ---------------------------------------------------------------------------
ROW = re.compile(r'data-submission="(\d+)".*?data-role="status"[^>]*>([^<]+)<', re.S)


def badges(html: str) -> dict[int, str]:
    """Each submission row or card of a page: its status badge's text."""
    return {int(pk): label.strip() for pk, label in ROW.findall(html)}


def cli(story: Story, user: User, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    token = Token.objects.get_or_create(user=user)[0].key
    code = bounty(["--server", story.server, "--token", token, *args], out=out, err=err)
    assert code == 0, err.getvalue()
    return out.getvalue()


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# -- the test ---------------------------------------------------------------------------------------
def test_every_surface_agrees_with_an_independent_replay_after_organizer_actions(
    story: Story, tmp_path: Path
) -> None:
    competition, subs = story.competition, story.subs
    # The head model is base + C1 (kept through the disqualification's replay) + B2, committed afresh.
    truth = replay(tmp_path, story, ["C1", "B2"])
    assert truth.counting == ["C1", "B2"]
    store: Store = competition_store(competition)
    head = store.decision_list(competition.head_version)
    assert competition.current_holdout_loss == pytest.approx(truth.holdout_loss, abs=0)
    for split, predictions in truth.predictions.items():
        assert np.array_equal(head.predictions(split), predictions), split

    labels = expected_labels(story, truth.counting)
    ids = {name: s.pk for name, s in subs.items()}
    step = competition_step(competition)
    assert step.step is not None
    gains = {name: public_gain(s.figures["gain"], step.step) for name, s in subs.items()}
    assert all(s.public_gain == gains[name] for name, s in subs.items())
    base = step.value(competition.base_holdout_loss)  # the published base loss
    assert base is not None
    public_loss = step.text(base - sum(gains[name] for name in truth.counting))
    credit = {"Team B": percent_of(gains["B2"], base), "Team C": percent_of(gains["C1"], base)}

    check_pages(story, labels, ids, public_loss)
    check_api(story, labels, ids, gains, truth.counting, public_loss, credit)
    check_cli(story, labels, ids, credit)
    check_exports(story, labels, ids, gains, truth.counting, credit)
    check_model_card(story, truth.counting)
    check_notifications(story)


def check_pages(story: Story, labels: dict[str, str], ids: dict[str, int], public_loss: str) -> None:
    competition, org = story.competition, login(story.organizer)
    for name, pk in ids.items():
        team = next(t for t, u in story.users.items() if u.pk == story.subs[name].author_id)
        web = login(story.users[team])
        detail = web.get(reverse("submission_detail", args=[pk])).content.decode()
        assert badges(detail) == {pk: labels[name]}, name
        mine = badges(web.get(reverse("my_submissions", args=[competition.slug])).content.decode())
        assert mine[pk] == labels[name]
    everyone = {ids[n]: label for n, label in labels.items()}
    queue = org.get(reverse("console:submissions", args=[competition.slug])).content.decode()
    assert badges(queue) == everyone
    home = org.get(reverse("console:home", args=[competition.slug])).content.decode()
    assert badges(home) == everyone
    public = Client().get(reverse("competition", args=[competition.slug])).content.decode()
    assert badges(public) == everyone
    assert f'data-figure="public-loss">{public_loss}</dd>' in public  # less the public gains in the model
    board = Client().get(reverse("leaderboard", args=[competition.slug])).content.decode()
    assert "Team A" not in board and "Team B" in board and "Team C" in board


def check_api(
    story: Story,
    labels: dict[str, str],
    ids: dict[str, int],
    gains: dict[str, float],
    counting: list[str],
    public_loss: str,
    credit: dict[str, float | None],
) -> None:
    competition, org = story.competition, login(story.organizer)
    for name, pk in ids.items():
        data = org.get(f"/api/v1/submissions/{pk}").json()
        assert data["status_label"] == labels[name]
        assert data["counts"] is (name in counting)
        assert data["credited_gain"] == (gains[name] if name in counting else 0.0)
        assert data["undone"] == {
            "A1": "disqualified",
            "B1": "rolled_back",
            "A2": "rolled_back",
        }.get(name)
    listed = login(story.users["B"]).get(f"/api/v1/competitions/{competition.slug}/submissions").json()
    assert {row["id"]: row["status_label"] for row in listed} == {
        ids["B1"]: labels["B1"],
        ids["B2"]: labels["B2"],
    }
    base = competition.base_holdout_loss
    assert base is not None
    metrics = Client().get(f"/api/v1/competitions/{competition.slug}/metrics").json()
    assert metrics["accepted_updates"] == len(counting)
    assert metrics["public_loss"] == float(public_loss)
    board = Client().get(f"/api/v1/competitions/{competition.slug}/leaderboard").json()
    assert {row["team"]: row["credit_percent"] for row in board} == credit
    assert {row["team"]: [u["submission"] for u in row["updates"]] for row in board} == {
        "Team B": [story.subs["B2"].pk],
        "Team C": [story.subs["C1"].pk],
    }


def check_cli(
    story: Story, labels: dict[str, str], ids: dict[str, int], credit: dict[str, float | None]
) -> None:
    for user in story.users.values():
        mine = [n for n, s in story.subs.items() if s.author_id == user.pk]
        for name in mine:
            out = cli(story, user, "status", str(ids[name]))
            assert re.search(rf"^outcome\s+{re.escape(labels[name])}$", out, re.M), out
        table = cli(story, user, "submissions", story.competition.slug)
        for name in mine:
            assert labels[name] in table, table
    board = cli(story, story.users["C"], "leaderboard", story.competition.slug)
    assert "Team A" not in board
    for team, value in credit.items():
        assert re.search(rf"{team}\s+{value:.2f}%", board), board


def check_exports(
    story: Story,
    labels: dict[str, str],
    ids: dict[str, int],
    gains: dict[str, float],
    counting: list[str],
    credit: dict[str, float | None],
) -> None:
    competition, org = story.competition, login(story.organizer)
    rows = {
        int(r["id"]): r
        for r in csv_rows(org.get(reverse("console:export_submissions", args=[competition.slug])))
    }
    for name, pk in ids.items():
        row = rows[pk]
        assert row["outcome"] == labels[name]
        assert row["counts"] == str(name in counting)
        assert float(row["credited_gain"]) == (gains[name] if name in counting else 0.0)
    assert rows[ids["A1"]]["dropped_in"] == str(story.disqualified_in)
    assert rows[ids["B1"]]["dropped_in"] == rows[ids["A2"]]["dropped_in"] == str(story.rolled_back_in)
    board = csv_rows(Client().get(reverse("leaderboard_csv", args=[competition.slug])))
    assert {r["team"]: float(r["credit_percent"]) for r in board} == credit
    assert {r["team"]: r["accepted_updates"] for r in board} == {"Team B": "1", "Team C": "1"}


def check_model_card(story: Story, counting: list[str]) -> None:
    card = Client().get(reverse("model_card", args=[story.competition.slug])).content.decode()
    for name, submission in story.subs.items():
        row = re.search(rf"<tr[^>]*data-submission=\"{submission.pk}\".*?</tr>", card, re.S)
        assert row is not None, name
        assert ("<td>yes</td>" in row.group(0)) is (name in counting), (name, row.group(0))


def check_notifications(story: Story) -> None:
    """Those whose credit changed were told why, by email and on their next page; the others were not."""
    told = {team: list(Notice.objects.filter(user=user)) for team, user in story.users.items()}
    assert told["C"] == []
    assert len(told["B"]) == 1 and ROLLBACK_REASON in told["B"][0].text
    assert f"#{story.subs['B1'].pk}" in told["B"][0].text
    a_texts = sorted(n.text for n in told["A"])
    assert len(a_texts) == 2  # A2 rolled back, then the disqualification
    assert any(ROLLBACK_REASON in t and f"#{story.subs['A2'].pk}" in t for t in a_texts)
    assert any(DISQUALIFY_REASON in t and "disqualified" in t for t in a_texts)
    for team in ("A", "B"):
        emails = [m for m in mail.outbox if story.users[team].email in m.to and "credit" in m.subject]
        assert len(emails) == len(told[team])
    web = login(story.users["B"])
    page = web.get(reverse("competition", args=[story.competition.slug])).content.decode()
    assert ROLLBACK_REASON in page  # the notice, on the next page view
    notice = told["B"][0]
    web.post(reverse("notice_dismiss", args=[notice.pk]))
    assert (
        ROLLBACK_REASON not in web.get(reverse("competition", args=[story.competition.slug])).content.decode()
    )
