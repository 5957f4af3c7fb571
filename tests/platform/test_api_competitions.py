"""Competitions, terms, the train split, teams and the public leaderboard, versions and metrics."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from bounty.lifecycle import submission_create
from bounty.models import Competition, ModelVersion, Submission, TermsAcceptance
from tests.platform.api_support import (
    API,
    api_client,
    api_reset,  # noqa: F401  (a fixture)
    error_of,
    upload,
)
from tests.platform.conftest import HOLDOUT_MARKER, TRAIN_CSV

pytestmark = pytest.mark.usefixtures("api_reset")


def url(competition: Competition, rest: str = "") -> str:
    return f"{API}/competitions/{competition.slug}{rest}"


def test_the_detail_says_what_the_viewer_has_done(
    competition: Competition, ready_participant: User, organizer: User
) -> None:
    mine = api_client(ready_participant).get(url(competition)).json()
    assert mine["viewer"] == {"terms_accepted": True, "team": "Lovelace", "is_organizer": False}
    assert mine["terms_text"] == competition.terms_text and mine["accepting_submissions"] is True
    theirs = api_client(organizer).get(url(competition)).json()
    assert theirs["viewer"] == {"terms_accepted": False, "team": None, "is_organizer": True}


def test_the_schema_lists_every_key_for_every_column(competition: Competition, participant: User) -> None:
    schema = api_client(participant).get(url(competition, "/schema")).json()
    assert [c["name"] for c in schema["columns"]] == ["age", "sex"]
    assert schema["columns"][0] == {
        "name": "age",
        "kind": "numeric",
        "nullable": True,
        "categories": [],
        "description": "",
    }
    assert schema["columns"][1]["categories"] == ["Female", "Male"]
    assert (schema["task"], schema["classes"], schema["target_range"]) == ("binary", ["0", "1"], None)


def test_the_data_card(competition: Competition, participant: User) -> None:
    card = api_client(participant).get(url(competition, "/data-card")).json()
    assert card == {
        "rows": {"train": 2, "holdout": 20_000, "confirmation": 2},
        "attributes": ["sex"],
        "base_model": "",
        "other": {},
    }


def test_accepting_the_terms_opens_the_train_split(competition: Competition, participant: User) -> None:
    client = api_client(participant)
    assert error_of(client.get(url(competition, "/train.csv")))["code"] == "terms_not_accepted"
    response = client.post(url(competition, "/terms"), {"terms_version": 1}, format="json")
    assert response.status_code == 200 and response.json()["terms_version"] == 1
    download = client.get(url(competition, "/train.csv"))
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert content.decode() == TRAIN_CSV
    assert HOLDOUT_MARKER.encode() not in content


def test_outdated_terms_are_refused_with_409(competition: Competition, participant: User) -> None:
    Competition.objects.filter(pk=competition.pk).update(terms_version=2)
    response = api_client(participant).post(url(competition, "/terms"), {"terms_version": 1}, format="json")
    assert response.status_code == 409
    assert error_of(response) == {
        "code": "terms_outdated",
        "message": "These terms have changed since you opened the page; please read them again.",
        "field": "terms_version",
    }
    assert not TermsAcceptance.objects.exists()


def test_a_team_is_created_joined_by_code_and_shown_with_its_members(
    competition: Competition, make_user: Callable[..., User]
) -> None:
    ada, bob = make_user("ada"), make_user("bob")
    created = api_client(ada).post(url(competition, "/teams"), {"name": " The  Lovelaces "}, format="json")
    assert created.status_code == 201
    team = created.json()
    assert team["name"] == "The Lovelaces" and [m["username"] for m in team["members"]] == ["ada"]
    bad = api_client(bob).post(url(competition, "/teams/join"), {"invite_code": "wrong"}, format="json")
    assert error_of(bad) == {
        "code": "invalid_invite_code",
        "message": "No team has this invite code.",
        "field": "invite_code",
    }
    joined = api_client(bob).post(url(competition, "/teams/join"), {"invite_code": team["invite_code"]})
    assert joined.status_code == 200
    mine = api_client(bob).get(url(competition, "/team")).json()
    assert mine["id"] == team["id"] and [m["username"] for m in mine["members"]] == ["ada", "bob"]


def test_having_no_team_is_404_no_team(competition: Competition, participant: User) -> None:
    response = api_client(participant).get(url(competition, "/team"))
    assert (response.status_code, error_of(response)["code"]) == (404, "no_team")


def _accepted(competition: Competition, user: User, gain: float) -> Submission:
    submission = submission_create(
        competition=competition, user=user, group_text="age >= 60", model_file=upload()
    )
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.ACCEPTED,
        reason="accepted",
        public_gain=gain,
        figures={"gain": gain + 0.0004, "holdout_loss": 0.123456},
    )
    return submission


def test_public_reads_show_rounded_gains_and_no_holdout_losses(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    submission = _accepted(competition, ready_participant, 0.002)
    ModelVersion.objects.create(competition=competition, number=0, kind="base", holdout_loss=0.2)
    ModelVersion.objects.create(
        competition=competition, number=1, parent=0, kind="update", submission=submission, gain=0.0024,
        holdout_loss=0.1976, confirmation_loss=0.19,
    )  # fmt: skip
    ModelVersion.objects.create(
        competition=competition, number=2, parent=1, kind="repair", target_version=1, holdout_loss=0.19
    )
    Competition.objects.filter(pk=competition.pk).update(current_holdout_loss=0.19, head_version=2)
    anonymous = api_client()
    versions = anonymous.get(url(competition, "/versions")).json()
    assert [(v["number"], v["kind"], v["public_gain"]) for v in versions] == [
        (0, "base", None),
        (1, "update", 0.002),
        (2, "repair", None),
    ]
    assert set(versions[0]) == {"number", "kind", "created_at", "public_gain"}
    metrics = anonymous.get(url(competition, "/metrics")).json()
    assert metrics == {  # 20,000 holdout rows and k = 10: the step is 0.001
        "step": 0.001,
        "publish_k": 10,
        "base_loss": 0.2,
        "public_loss": 0.198,  # 0.2 - 0.002: only public gains move it
        "current_loss_percent": 99.0,
        "improvement_percent": 1.0,
        "accepted_updates": 1,
        "head_version": 2,
    }
    board = anonymous.get(url(competition, "/leaderboard")).json()
    assert board[0]["team"] == "Lovelace" and board[0]["updates"][0]["public_gain"] == 0.002
    assert board[0]["credit_percent"] == 1.0  # percent of the published base loss
    everything = json.dumps([versions, metrics, board])
    for secret in ("0.1976", "0.19,", "0.0024", "0.123456", "holdout"):
        assert secret not in everything
