"""One submission, one number: with two competitions (so a submission's arrival order in its
competition differs from its number), the address, the pages, the API, the command line, the emails,
the organizer's queue and flash message and the CSV export all name it by the same number."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from bounty_client.cli import main as bounty
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bounty.lifecycle import competition_set_manual_approval
from bounty.models import Membership, Submission, Team
from tests.platform.api_support import api_client
from tests.platform.conftest import login, make_competition
from tests.platform.engine_world import pair_model
from tests.platform.organizer_support import SCRIPT, score, team_member, weak_competition

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def earlier_submission_elsewhere() -> Submission:
    """A submission to another competition, so that numbers and arrival orders part ways."""
    other = make_competition(slug="other", title="Other")
    user = User.objects.create_user("early", "early@example.org", "pass-4-tests-only")
    team = Team.objects.create(competition=other, name="Early birds")
    Membership.objects.create(team=team, competition=other, user=user)
    return Submission.objects.create(
        competition=other, team=team, author=user, seq=1, group_tree={"op": "all"}, group_text="all",
        model_sha256="0" * 64, model_format="skops", status=Submission.Status.REJECTED,
    )  # fmt: skip


def test_a_submission_has_the_same_number_in_every_place_it_is_named(
    live_server: Any, enqueued: list[int], tmp_path: Path
) -> None:
    earlier_submission_elsewhere()
    organizer = User.objects.create_user("org", "org@example.org", "org-pass-123456")
    competition = weak_competition(organizer)
    competition_set_manual_approval(competition=competition, actor=organizer, enabled=True, reason="review")
    user = team_member(competition, "C")
    text = SCRIPT[0][1]
    model = tmp_path / "model.skops"
    model.write_bytes(pair_model(text))

    out, err = io.StringIO(), io.StringIO()
    token = Token.objects.get_or_create(user=user)[0].key
    args = ["--server", str(live_server), "--token", token, "submit", competition.slug]
    assert bounty([*args, "--group", text, "--model", str(model)], out=out, err=err) == 0, err.getvalue()
    submission = Submission.objects.get(competition=competition)
    number = submission.pk
    assert submission.seq == 1 and number != submission.seq  # the two numbers differ here
    assert out.getvalue().startswith(f"Submitted as {number} ")  # the CLI line
    assert score(submission).status == "awaiting_approval"

    org = login(organizer)
    queue = org.get(reverse("console:home", args=[competition.slug])).content.decode()
    assert re.search(rf"<td>{number}</td><td>Team C</td>", queue)
    approved = org.post(
        reverse("console:approve", args=[competition.slug, number]), {"note": "fine"}, follow=True
    )
    assert f"Submission #{number} approved: accepted." in approved.content.decode()  # the flash message
    submission.refresh_from_db()
    assert submission.status == "accepted"

    web = login(user)
    address = reverse("submission_detail", args=[number])
    assert address == f"/submissions/{number}/"
    page = web.get(address).content.decode()
    assert f"<h1>Submission #{number}</h1>" in page and f"#{submission.seq}<" not in page
    assert api_client(user).get(f"/api/v1/submissions/{number}").json()["id"] == number
    listed = web.get(reverse("my_submissions", args=[competition.slug])).content.decode()
    assert f'<span class="visually-hidden">Submission </span>{number}</a>' in listed
    board = web.get(reverse("leaderboard", args=[competition.slug])).content.decode()
    assert f'<span class="muted">#{number}</span>' in board
    updates = api_client().get(f"/api/v1/competitions/{competition.slug}/leaderboard").json()[0]["updates"]
    assert [u["submission"] for u in updates] == [number]

    emails = [m for m in mail.outbox if user.email in m.to]
    assert emails and all(f"Submission #{number}" in m.subject for m in emails)
    assert f"Submission #{number} to" in emails[-1].body and address in emails[-1].body
    to_organizers = [m for m in mail.outbox if organizer.email in m.to]
    assert to_organizers and f"submission #{number} by Team C" in to_organizers[-1].subject

    export = org.get(reverse("console:export_submissions", args=[competition.slug]))
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [(r["id"], r["arrival"]) for r in rows] == [(str(number), str(submission.seq))]
