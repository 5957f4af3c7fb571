"""Submitting through the API: the three group forms, upload checks, scoping, details, cancelling."""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from bounty.lifecycle import submission_create
from bounty.models import Competition, Membership, QuotaLedger, Submission, Team, TermsAcceptance
from tests.platform.api_support import (
    API,
    api_client,
    api_reset,  # noqa: F401  (a fixture)
    error_of,
    set_rates,
    skops_model,
    upload,
)

pytestmark = pytest.mark.usefixtures("api_reset")


def submit(user: User, competition: Competition, **fields: Any) -> Any:
    data = {"model": upload(), **fields}
    return api_client(user).post(
        f"{API}/competitions/{competition.slug}/submissions", data, format="multipart"
    )


def test_a_group_given_as_a_json_tree_is_validated_normalized_and_queued(
    competition: Competition,
    ready_participant: User,
    enqueued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    tree = {
        "op": "and",
        "args": [{"col": "age", "op": ">=", "value": 60}, {"col": "sex", "op": "==", "value": "Female"}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(ready_participant, competition, group=json.dumps(tree))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["pending"] is True
    assert body["group"]["args"][0] == {"col": "age", "op": ">=", "value": 60.0}
    assert body["group_text"] == 'age >= 60 and sex == "Female"'
    assert body["figures"] is None
    submission = Submission.objects.get()
    assert enqueued == [submission.pk]
    assert submission.model_sha256 == hashlib.sha256(skops_model()).hexdigest()


def test_a_group_given_in_the_text_form_is_parsed(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    response = submit(ready_participant, competition, group_text='sex == "Female"')
    assert response.status_code == 201
    assert response.json()["group"] == {"col": "sex", "op": "==", "value": "Female"}


def test_a_group_given_as_a_model_file_is_stored_by_hash(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    response = submit(ready_participant, competition, group_model=upload(name="g.skops"))
    assert response.status_code == 201
    assert response.json()["has_group_model"] is True and response.json()["group"] is None
    assert Submission.objects.get().group_model_sha256 == hashlib.sha256(skops_model()).hexdigest()


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({}, "required", "group"),
        ({"group_text": "age >= 60", "group": '{"op": "all"}'}, "invalid", "group_text"),
        ({"group": "{not json"}, "invalid_group", "group"),
        ({"group": "[1, 2]"}, "invalid", "group"),
        ({"group": json.dumps({"col": "agee", "op": ">=", "value": 1})}, "invalid_group", "group"),
        ({"group_text": "agee >= 60"}, "invalid_group", "group_text"),
    ],
)
def test_a_missing_doubled_or_invalid_group_is_refused_before_anything_is_stored(
    competition: Competition,
    ready_participant: User,
    enqueued: list[int],
    fields: dict[str, str],
    code: str,
    field: str,
) -> None:
    response = submit(ready_participant, competition, **fields)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, field)
    assert not Submission.objects.exists()
    assert not QuotaLedger.objects.filter(used__gt=0).exists()


def test_the_engine_names_the_unknown_column_in_a_tree(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    tree = json.dumps({"col": "agee", "op": ">=", "value": 1})
    error = error_of(submit(ready_participant, competition, group=tree))
    assert "age" in error["message"]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"junk bytes that are no model", "model"),
        (pickle.dumps({"a": 1}), "model"),
        (b"PK\x03\x04 not really a zip", "model"),
    ],
)
def test_a_model_file_that_is_not_skops_is_refused_at_upload(
    competition: Competition, ready_participant: User, enqueued: list[int], content: bytes, field: str
) -> None:
    response = submit(ready_participant, competition, group_text="age >= 60", model=upload(content))
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid_model", field)
    assert not Submission.objects.exists()


def test_a_group_model_file_that_is_not_skops_is_refused_at_upload(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    response = submit(ready_participant, competition, group_model=upload(b"\x80\x04junk"))
    assert error_of(response)["field"] == "group_model"


def test_submitting_needs_the_terms_and_a_team(
    competition: Competition, participant: User, enqueued: list[int]
) -> None:
    assert error_of(submit(participant, competition, group_text="age >= 60"))["code"] == "terms_not_accepted"
    TermsAcceptance.objects.create(user=participant, competition=competition, terms_version=1)
    assert error_of(submit(participant, competition, group_text="age >= 60"))["code"] == "no_team"


def test_a_closed_competition_refuses_submissions_with_409(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    Competition.objects.filter(pk=competition.pk).update(status=Competition.Status.CLOSED)
    response = submit(ready_participant, competition, group_text="age >= 60")
    assert (response.status_code, error_of(response)["code"]) == (409, "competition_not_open")


def _other_team_submission(competition: Competition, make_user: Callable[..., User]) -> Submission:
    bob = make_user("bob")
    TermsAcceptance.objects.create(user=bob, competition=competition, terms_version=1)
    team = Team.objects.create(competition=competition, name="Hopper")
    Membership.objects.create(team=team, competition=competition, user=bob)
    return submission_create(competition=competition, user=bob, group_text="age >= 30", model_file=upload())


def test_the_list_holds_only_my_teams_submissions_newest_first(
    competition: Competition,
    ready_participant: User,
    make_user: Callable[..., User],
    enqueued: list[int],
) -> None:
    other = _other_team_submission(competition, make_user)
    mine = [
        submit(ready_participant, competition, group_text=t).json()["id"] for t in ("age >= 60", "age < 20")
    ]
    listed = api_client(ready_participant).get(f"{API}/competitions/{competition.slug}/submissions").json()
    assert [s["id"] for s in listed] == mine[::-1]
    assert other.pk not in [s["id"] for s in listed]
    assert all("figures" not in s for s in listed)


def test_another_teams_submission_is_404_to_read_and_to_cancel(
    competition: Competition,
    ready_participant: User,
    make_user: Callable[..., User],
    enqueued: list[int],
) -> None:
    other = _other_team_submission(competition, make_user)
    client = api_client(ready_participant)
    for response in (
        client.get(f"{API}/submissions/{other.pk}"),
        client.post(f"{API}/submissions/{other.pk}/cancel"),
    ):
        assert response.status_code == 404
        assert error_of(response) == {
            "code": "not_found",
            "message": "There is no such submission.",
            "field": None,
        }
    other.refresh_from_db()
    assert other.status == Submission.Status.QUEUED


def test_only_the_competitions_organizers_see_the_figures(
    competition: Competition,
    ready_participant: User,
    organizer: User,
    make_user: Callable[..., User],
    enqueued: list[int],
) -> None:
    submission = submission_create(
        competition=competition, user=ready_participant, group_text="age >= 60", model_file=upload()
    )
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.REJECTED, reason="group_too_small", figures={"mass": 0.001}
    )
    mine = api_client(ready_participant).get(f"{API}/submissions/{submission.pk}").json()
    assert mine["figures"] is None and mine["reason"] == "group_too_small"
    theirs = api_client(organizer).get(f"{API}/submissions/{submission.pk}").json()
    assert theirs["figures"] == {"mass": 0.001}
    from tests.platform.conftest import make_competition

    elsewhere = make_competition(slug="elsewhere", title="Elsewhere")
    stranger = make_user("stranger")
    elsewhere.organizers.add(stranger)
    assert api_client(stranger).get(f"{API}/submissions/{submission.pk}").status_code == 404


def test_a_queued_submission_can_be_cancelled_once(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    created = submit(ready_participant, competition, group_text="age >= 60").json()
    client = api_client(ready_participant)
    response = client.post(f"{API}/submissions/{created['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and response.json()["pending"] is False
    again = client.post(f"{API}/submissions/{created['id']}/cancel")
    assert (again.status_code, error_of(again)["code"]) == (409, "not_cancellable")


def test_submitting_is_throttled_per_user_on_top_of_the_quotas(
    competition: Competition, ready_participant: User, enqueued: list[int], settings: Any
) -> None:
    set_rates(settings, submit="1/hour")
    assert submit(ready_participant, competition, group_text="age >= 60").status_code == 201
    response = submit(ready_participant, competition, group_text="age >= 61")
    assert (response.status_code, error_of(response)["code"]) == (429, "throttled")
    listed = api_client(ready_participant).get(f"{API}/competitions/{competition.slug}/submissions")
    assert listed.status_code == 200  # reads are not the submit scope
