"""The console over the API (``/api/v1/organize/competitions/<slug>/...``): the review queue, each action
on the model and the exports, for the competition's organizers and staff; the console's refusals for
everyone else; the OpenAPI schema; and the ``bounty organize`` commands against a live server."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bounty_client.cli import main
from django.contrib.auth.models import User

from bounty.lifecycle import competition_set_manual_approval
from bounty.models import AuditEvent, Competition, ModelVersion, Submission, Team
from tests.platform.api_support import (
    API,
    api_client,
    api_reset,  # noqa: F401  (a fixture)
    error_of,
    token_for,
)
from tests.platform.conftest import make_competition
from tests.platform.organizer_support import score, submit, team_member, weak_competition

pytestmark = [pytest.mark.usefixtures("api_reset"), pytest.mark.django_db]
OLDER = "age >= 50"
MARRIED = 'marital_status in ["Married-civ-spouse"]'
ORG = f"{API}/organize/competitions"


@dataclass(frozen=True)
class Held:
    """Manual approval on: ``first`` (accepted by the check) waits, ``second`` waits behind it."""

    competition: Competition
    org: User
    member: User
    first: Submission
    second: Submission


@pytest.fixture
def org() -> User:
    return User.objects.create_user("org", "org@example.org", "org-pass-123456")


@pytest.fixture
def held(org: User, enqueued: list[int]) -> Held:
    competition = weak_competition(org)
    competition_set_manual_approval(competition=competition, actor=org, enabled=True, reason="review all")
    member = team_member(competition, "A")
    first = score(submit(competition, member, OLDER))
    second = score(submit(competition, member, MARRIED))
    assert first.status == Submission.Status.AWAITING_APPROVAL
    competition.refresh_from_db()
    return Held(competition, org, member, first, second)


def url(competition: Competition, tail: str) -> str:
    return f"{ORG}/{competition.slug}/{tail}"


def post(user: User, competition: Competition, tail: str, data: dict[str, Any]) -> Any:
    return api_client(user).post(url(competition, tail), data, format="json")


def actions_of(user: User) -> set[str]:
    return set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))


# -- the review queue --------------------------------------------------------------------------------
def test_the_review_lists_the_waiting_pairs_with_their_figures(held: Held) -> None:
    response = api_client(held.org).get(url(held.competition, "review"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["competition"]["slug"] == held.competition.slug
    assert body["competition"]["manual_approval"] is True and body["competition"]["head_version"] == 0
    assert [s["id"] for s in body["awaiting"]] == [held.first.pk]
    waiting = body["awaiting"][0]
    assert waiting["status"] == "awaiting_approval" and waiting["team"] == "Team A"
    assert waiting["figures"]["gain"] == pytest.approx(held.first.figures["gain"])
    assert waiting["standing"] is None
    assert [(v["number"], v["kind"]) for v in body["versions"]] == [(0, "base")]
    assert body["teams"] == [
        {
            "id": Team.objects.get(name="Team A").pk,
            "name": "Team A",
            "counting": 0,
            "undone": 0,
            "disqualified": False,
            "disqualified_at": None,
            "disqualified_in_version": None,
        }
    ]
    turned_on = next(a for a in body["actions"] if a["action"] == "competition.manual_approval")
    assert (turned_on["actor"], turned_on["reason"]) == ("org", "review all")


def test_staff_may_review_any_competition(held: Held) -> None:
    staff = User.objects.create_user("root", password="root-pass-123456", is_staff=True)
    response = api_client(staff).get(url(held.competition, "review"))
    assert response.status_code == 200 and response.json()["awaiting"][0]["id"] == held.first.pk


# -- approve and decline -----------------------------------------------------------------------------
def test_approving_commits_the_pair_and_answers_the_new_head(held: Held) -> None:
    response = post(held.org, held.competition, f"submissions/{held.first.pk}/approve", {"note": "fine"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == f"Submission #{held.first.pk} approved: accepted."
    assert body["submission"]["id"] == held.first.pk and body["submission"]["status"] == "accepted"
    assert body["submission"]["figures"]["gain"] > 0 and body["submission"]["counts"] is True
    assert body["competition"]["head_version"] == 1
    event = AuditEvent.objects.get(action="submission.approve")
    assert event.actor == held.org and event.payload["reason"] == "fine"
    held.second.refresh_from_db()  # the queue behind it was decided: the next pair now waits
    assert held.second.status == Submission.Status.AWAITING_APPROVAL and held.second.checked_version == 1


def test_declining_refuses_the_pair_and_only_a_waiting_pair_can_be_decided(held: Held) -> None:
    tail = f"submissions/{held.first.pk}/decline"
    response = post(held.org, held.competition, tail, {"note": "a known group"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == f"Submission #{held.first.pk} declined."
    assert body["submission"]["status"] == "declined" and body["competition"]["head_version"] == 0
    again = post(held.org, held.competition, tail, {"note": "again"})
    assert again.status_code == 409 and error_of(again)["code"] == "not_awaiting_approval"
    approve = post(held.org, held.competition, f"submissions/{held.first.pk}/approve", {"note": "no"})
    assert approve.status_code == 409 and error_of(approve)["code"] == "not_awaiting_approval"


@pytest.mark.parametrize(
    ("data", "code"),
    [({}, "required"), ({"note": "   "}, "reason_required"), ({"note": "x" * 2001}, "reason_too_long")],
)
def test_a_decision_needs_a_note(held: Held, data: dict[str, Any], code: str) -> None:
    response = post(held.org, held.competition, f"submissions/{held.first.pk}/approve", data)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, "note")
    held.first.refresh_from_db()
    assert held.first.status == Submission.Status.AWAITING_APPROVAL
    assert "submission.approve" not in actions_of(held.org)


def test_a_submission_of_another_competition_is_not_found(held: Held) -> None:
    other = make_competition(slug="other-bounty")
    other.organizers.add(held.org)
    response = post(held.org, other, f"submissions/{held.first.pk}/approve", {"note": "x"})
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    held.first.refresh_from_db()
    assert held.first.status == Submission.Status.AWAITING_APPROVAL


# -- roll back, disqualify, confirm, close -----------------------------------------------------------
def test_rolling_back_appends_a_version_that_predicts_as_the_chosen_one(held: Held) -> None:
    post(held.org, held.competition, f"submissions/{held.first.pk}/approve", {"note": "ok"})  # v1
    response = post(held.org, held.competition, "rollback", {"version": 0, "reason": "undo v1"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "Rolled back: v2 predicts as v0 did."
    assert (body["version"]["number"], body["version"]["kind"], body["version"]["target_version"]) == (
        2,
        "rollback",
        0,
    )
    assert body["competition"]["head_version"] == 2
    assert ModelVersion.objects.get(competition=held.competition, number=2).kind == "rollback"
    review = api_client(held.org).get(url(held.competition, "review")).json()
    undone = next(s for s in review["decided"] if s["id"] == held.first.pk)
    assert undone["undone"] == "rolled_back" and undone["standing"]["counts"] is False
    late = post(held.org, held.competition, "rollback", {"version": 2, "reason": "to the head"})
    assert late.status_code == 400 and error_of(late)["code"] == "invalid_version"
    assert error_of(late)["field"] == "version"


def test_disqualifying_a_team_rebuilds_the_model_once(held: Held) -> None:
    team = Team.objects.get(name="Team A")
    response = post(held.org, held.competition, f"teams/{team.pk}/disqualify", {"reason": "collusion"})
    assert response.status_code == 200, response.content
    body = response.json()
    head = body["competition"]["head_version"]
    assert body["message"] == f"Team A is disqualified; the model was rebuilt without its updates as v{head}."
    assert body["disqualification"]["team_id"] == team.pk and body["disqualification"]["version"] == head
    assert body["disqualification"]["reason"] == "collusion" and body["disqualification"]["actor"] == "org"
    held.first.refresh_from_db()
    assert held.first.status == Submission.Status.CANCELLED  # its undecided submissions are withdrawn
    again = post(held.org, held.competition, f"teams/{team.pk}/disqualify", {"reason": "again"})
    assert again.status_code == 409 and error_of(again)["code"] == "already_disqualified"
    elsewhere = Team.objects.create(competition=make_competition(slug="other-bounty"), name="Elsewhere")
    missing = post(held.org, held.competition, f"teams/{elsewhere.pk}/disqualify", {"reason": "x"})
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    assert list(
        AuditEvent.objects.filter(action="team.disqualify").values_list("payload__reason", flat=True)
    ) == ["collusion"]


def test_confirming_then_closing_the_competition(held: Held) -> None:
    post(held.org, held.competition, f"submissions/{held.first.pk}/approve", {"note": "ok"})
    response = post(held.org, held.competition, "confirm", {"reason": "midway check"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmed"] + body["unconfirmed"] == 1
    assert (
        body["message"]
        == f"Confirmation: {body['confirmed']} updates confirmed, {body['unconfirmed']} not confirmed."
    )
    no_reason = post(held.org, held.competition, "close", {"reason": ""})
    assert no_reason.status_code == 400 and error_of(no_reason)["code"] == "reason_required"
    closed = post(held.org, held.competition, "close", {"reason": "the end"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["competition"]["status"] == "closed"
    assert closed.json()["message"] == "The competition is closed and its updates were confirmed."
    again = post(held.org, held.competition, "close", {"reason": "the end"})
    assert again.status_code == 409 and error_of(again)["code"] == "already_closed"
    assert {"competition.confirm", "competition.close"} <= actions_of(held.org)


# -- exports -----------------------------------------------------------------------------------------
def test_the_exports_are_the_consoles_files(held: Held) -> None:
    client = api_client(held.org)
    bundle = client.get(url(held.competition, "exports/bundle.zip"))
    assert bundle.status_code == 200 and bundle["Content-Type"] == "application/zip"
    assert f'filename="{held.competition.slug}-v0.zip"' in bundle["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    rows = client.get(url(held.competition, "exports/submissions.csv"))
    assert rows.status_code == 200 and rows["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(rows.content.decode())))
    assert [int(r["id"]) for r in table] == [held.first.pk, held.second.pk]
    assert float(table[0]["gain"]) == pytest.approx(held.first.figures["gain"])
    board = client.get(url(held.competition, "exports/leaderboard.csv"))
    assert board.status_code == 200
    header = board.content.decode().splitlines()[0]
    assert header == "rank,team,credit_percent,gain,accepted_updates,rejections,findings,findings_fixed"
    assert {"competition.export_bundle", "competition.export_submissions"} <= actions_of(held.org)


# -- refusals ----------------------------------------------------------------------------------------
ROUTES = [
    ("GET", "review"),
    ("POST", "submissions/{submission}/approve"),
    ("POST", "submissions/{submission}/decline"),
    ("POST", "rollback"),
    ("POST", "teams/{team}/disqualify"),
    ("POST", "teams/{team}/approve"),
    ("POST", "confirm"),
    ("POST", "close"),
    ("GET", "exports/bundle.zip"),
    ("GET", "exports/submissions.csv"),
    ("GET", "exports/leaderboard.csv"),
]
BODY = {"note": "mine now", "reason": "mine now", "version": 0}


def request(client: Any, method: str, path: str) -> Any:
    return client.get(path) if method == "GET" else client.post(path, BODY, format="json")


def test_only_the_competitions_organizers_and_staff_may_act(
    held: Held, make_user: Callable[..., User]
) -> None:
    """The console's refusals on every route: 401 without a login, 403 ``forbidden`` for a participant
    or another competition's organizer, 404 for a draft they may not see. Nothing is done or recorded."""
    team = Team.objects.get(name="Team A")
    other_org = make_user("olga")
    make_competition(slug="other-bounty").organizers.add(other_org)
    make_competition(slug="draft-bounty", status=Competition.Status.DRAFT).organizers.add(held.org)
    before = AuditEvent.objects.count()
    for method, tail in ROUTES:
        path = url(held.competition, tail.format(submission=held.first.pk, team=team.pk))
        assert request(api_client(), method, path).status_code == 401, path
        for user in (held.member, other_org):
            response = request(api_client(user), method, path)
            assert response.status_code == 403, (path, user.username, response.content)
            assert error_of(response)["code"] == "forbidden"
        hidden = request(api_client(other_org), method, path.replace(held.competition.slug, "draft-bounty"))
        assert hidden.status_code == 404 and error_of(hidden)["code"] == "not_found", path
    assert AuditEvent.objects.count() == before
    held.first.refresh_from_db()
    held.competition.refresh_from_db()
    assert held.first.status == Submission.Status.AWAITING_APPROVAL
    assert (held.competition.status, held.competition.head_version) == ("open", 0)


# -- the schema --------------------------------------------------------------------------------------
def test_the_schema_documents_every_organizer_endpoint(db: None) -> None:
    response = api_client().get(f"{API}/schema/", {"format": "json"})
    paths = json.loads(response.content)["paths"]
    base = f"{API}/organize/competitions/{{slug}}"
    documented = {
        (method.upper(), path.removeprefix(base))
        for path, item in paths.items()
        if path.startswith(base)
        for method in item
    }
    assert documented == {
        ("GET", "/review"),
        ("POST", "/submissions/{submission_id}/approve"),
        ("POST", "/submissions/{submission_id}/decline"),
        ("POST", "/rollback"),
        ("POST", "/teams/{team_id}/disqualify"),
        ("POST", "/teams/{team_id}/approve"),
        ("POST", "/confirm"),
        ("POST", "/close"),
        ("POST", "/open"),
        ("GET", "/exports/bundle.zip"),
        ("GET", "/exports/submissions.csv"),
        ("GET", "/exports/leaderboard.csv"),
        ("GET", "/exports/payouts.csv"),
        ("PUT", "/program"),
        ("GET", "/ledger"),
        ("POST", "/ledger/corrections"),
        ("POST", "/ledger/{entry_id}/{action}"),
    }
    approve = paths[f"{base}/submissions/{{submission_id}}/approve"]["post"]
    request_ref = approve["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request_ref.endswith("/NoteInputRequest")
    assert approve["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/SubmissionAction"
    )
    assert {"400", "403", "404", "409"} <= set(approve["responses"])
    bundle = paths[f"{base}/exports/bundle.zip"]["get"]["responses"]["200"]["content"]
    assert bundle == {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


# -- the command line, against a live server -----------------------------------------------------------
def bounty(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_command_line_drives_the_organizer_endpoints(
    live_server: Any, held: Held, tmp_path: Path
) -> None:
    server = ["--server", str(live_server), "--token", token_for(held.org)]
    code, out, _ = bounty(*server, "organize", "review", held.competition.slug)
    assert code == 0 and "Waiting for approval: 1" in out and "Team A" in out
    code, out, _ = bounty(
        *server, "--json", "organize", "approve", held.competition.slug, str(held.first.pk), "--note", "ok"
    )
    assert code == 0 and json.loads(out)["submission"]["status"] == "accepted"
    code, out, err = bounty(
        *server, "--json", "organize", "decline", held.competition.slug, str(held.first.pk), "--note", "late"
    )
    assert code == 2 and json.loads(out)["error"]["code"] == "not_awaiting_approval"
    assert "not awaiting approval" in err
    target = tmp_path / "subs.csv"
    code, out, _ = bounty(
        *server, "organize", "export", held.competition.slug, "submissions", "-o", str(target)
    )
    assert code == 0 and str(target) in out
    assert target.read_text().startswith("id,arrival,team")
    code, out, _ = bounty(
        *server, "organize", "disqualify", held.competition.slug, "team a", "--reason", "collusion"
    )
    assert code == 0 and "Team A is disqualified" in out
    member = ["--server", str(live_server), "--token", token_for(held.member)]
    code, _, err = bounty(*member, "organize", "close", held.competition.slug, "--reason", "mine")
    assert code == 2 and "[forbidden]" in err
