from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from bounty.errors import DomainError
from bounty.lifecycle import submission_cancel, submission_create
from bounty.models import AuditEvent, Competition, Membership, Submission
from bounty.storage import artifact_path
from tests.platform.conftest import login, make_competition, model_upload


def create(competition: Competition, user: User, **extra: Any) -> Submission:
    fields: dict[str, Any] = {"group_text": "age >= 60", "model_file": model_upload()}
    fields.update(extra)
    return submission_create(competition=competition, user=user, **fields)


def test_submissions_get_increasing_arrival_numbers_and_are_queued_on_commit(
    competition: Competition,
    ready_participant: User,
    enqueued: list[int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = create(competition, ready_participant)
    assert enqueued == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        second = create(competition, ready_participant, group_text='sex == "Female"')
    assert (first.seq, second.seq) == (1, 2)
    assert enqueued == [first.pk, second.pk]
    competition.refresh_from_db()
    assert competition.next_seq == 3
    assert first.status == Submission.Status.QUEUED
    assert first.group_tree == {"col": "age", "op": ">=", "value": 60.0}
    assert AuditEvent.objects.filter(action="submission.create").count() == 2


def test_arrival_numbers_are_per_competition(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    other = make_competition(slug="other", title="Other")
    Membership.objects.create(team=other.teams.create(name="Ada"), competition=other, user=ready_participant)
    other.terms_acceptances.create(user=ready_participant, terms_version=1)
    assert create(competition, ready_participant).seq == 1
    assert create(other, ready_participant).seq == 1
    assert create(competition, ready_participant).seq == 2


def test_the_model_file_is_stored_by_its_sha256(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    content = b"PK\x03\x04 a model"
    submission = create(competition, ready_participant, model_file=model_upload(content))
    digest = hashlib.sha256(content).hexdigest()
    assert submission.model_sha256 == digest
    assert submission.model_format == "unknown"  # recorded from the bytes, which are no model here
    assert artifact_path(digest).read_bytes() == content
    assert artifact_path(digest).parent.name == digest[:2]


def test_a_group_model_file_replaces_the_group_text(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    submission = create(
        competition, ready_participant, group_text="", group_model_file=model_upload(b"PK group")
    )
    assert submission.group_tree is None
    assert submission.group_model_sha256 == hashlib.sha256(b"PK group").hexdigest()


def test_an_invalid_group_is_refused_with_the_parser_message(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    with pytest.raises(DomainError) as error:
        create(competition, ready_participant, group_text="agee >= 60")
    assert error.value.code == "invalid_group"
    assert error.value.field == "group_text"
    assert "did you mean 'age'" in error.value.message
    assert not Submission.objects.exists()


def test_model_files_over_the_size_cap_are_refused(
    competition: Competition, ready_participant: User, enqueued: list[int], settings: Any
) -> None:
    settings.BOUNTY_MAX_MODEL_BYTES = 10
    with pytest.raises(DomainError) as error:
        create(competition, ready_participant, model_file=model_upload(b"x" * 11))
    assert (error.value.code, error.value.status) == ("file_too_large", 413)
    assert not Submission.objects.exists()


def test_submitting_needs_terms_and_a_team(
    competition: Competition, participant: User, enqueued: list[int]
) -> None:
    with pytest.raises(DomainError) as error:
        create(competition, participant)
    assert error.value.code == "terms_not_accepted"
    competition.terms_acceptances.create(user=participant, terms_version=1)
    with pytest.raises(DomainError) as error:
        create(competition, participant)
    assert error.value.code == "no_team"


def test_a_closed_competition_takes_no_submissions(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    competition.status = Competition.Status.CLOSED
    competition.save()
    with pytest.raises(DomainError) as error:
        create(competition, ready_participant)
    assert error.value.code == "competition_not_open"


def test_team_quotas_are_enforced(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    for _ in range(competition.daily_quota):
        create(competition, ready_participant)
    with pytest.raises(DomainError) as error:
        create(competition, ready_participant)
    assert (error.value.code, error.value.status) == ("quota_exceeded", 429)
    assert Submission.objects.count() == competition.daily_quota


def test_cancelled_submissions_do_not_count_against_the_quota(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    submissions = [create(competition, ready_participant) for _ in range(competition.daily_quota)]
    submission_cancel(submission=submissions[0], user=ready_participant)
    assert create(competition, ready_participant).seq == competition.daily_quota + 1


def test_submit_page_creates_a_submission_and_redirects(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    response = login(ready_participant).post(
        reverse("submit", args=[competition.slug]),
        {"group_text": "age >= 60", "model_file": model_upload()},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response["Location"] == reverse("submission_detail", args=[submission.pk])
    assert submission.author == ready_participant


def test_submit_page_shows_group_errors_next_to_the_field(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    response = login(ready_participant).post(
        reverse("submit", args=[competition.slug]),
        {"group_text": "age >=", "model_file": model_upload()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["group_text"]
    assert not Submission.objects.exists()


def test_status_endpoint_reports_a_teams_submission_only(
    competition: Competition,
    ready_participant: User,
    make_user: Callable[..., User],
    enqueued: list[int],
) -> None:
    submission = create(competition, ready_participant)
    url = reverse("status", args=[submission.pk])
    data = login(ready_participant).get(url).json()
    assert (data["seq"], data["status"], data["pending"]) == (1, "queued", True)
    stranger = login(make_user("eve")).get(url)
    assert stranger.status_code == 404
    assert stranger.json()["error"]["code"] == "not_found"


def test_my_submissions_lists_the_teams_submissions(
    competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    create(competition, ready_participant, group_text="age >= 61")
    page = login(ready_participant).get(reverse("my_submissions", args=[competition.slug]))
    assert page.status_code == 200
    assert "age &gt;= 61" in page.content.decode()
    assert 'data-pending="1"' in page.content.decode()


def test_preview_reports_the_groups_share_of_train_rows(
    competition: Competition, ready_participant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []

    def fake_mass(*, competition: Competition, tree: dict[str, Any]) -> float:
        seen.append(tree)
        return 0.25

    monkeypatch.setattr("bounty.views.preview.group_preview_mass", fake_mass)
    client = login(ready_participant)
    url = reverse("group_preview", args=[competition.slug])
    ok = client.get(url, {"group": "age >= 60"})
    assert ok.json() == {"mass": 0.25, "description": "age is at least 60"}
    assert seen == [{"col": "age", "op": ">=", "value": 60.0}]
    bad = client.get(url, {"group": "agee >= 60"})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "group_text"
    assert "did you mean" in bad.json()["error"]["message"]
