"""Every kind of failure answers the one error shape ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from bounty.api.errors import SERVER_ERROR_MESSAGE, classify
from bounty.errors import DomainError
from bounty.models import Competition
from bounty.services.teams import team_create
from tests.platform.api_support import (
    API,
    api_client,
    api_reset,  # noqa: F401  (a fixture)
    error_of,
    set_rates,
    upload,
)

pytestmark = pytest.mark.usefixtures("api_reset")


def test_a_domain_error_keeps_its_code_message_field_and_status(
    competition: Competition, participant: User, make_user: Any
) -> None:
    team_create(competition=competition, name="Lovelace", user=make_user("bob"))
    response = api_client(participant).post(
        f"{API}/competitions/{competition.slug}/teams", {"name": "lovelace"}, format="json"
    )
    assert response.status_code == 409
    assert (
        error_of(response)
        == DomainError("team_name_taken", "This team name is taken.", field="name").as_dict()
    )


def test_a_validation_error_names_the_first_field_and_its_message(
    competition: Competition, participant: User
) -> None:
    response = api_client(participant).post(f"{API}/competitions/{competition.slug}/teams", {}, format="json")
    assert response.status_code == 400
    assert error_of(response) == {"code": "required", "message": "This field is required.", "field": "name"}


def test_nested_and_non_field_validation_errors_are_flattened() -> None:
    nested = classify(ValidationError({"members": [{}, {"name": ["Too long."]}]}), {})
    assert (nested.field, nested.message) == ("members.1.name", "Too long.")
    general = classify(ValidationError({"non_field_errors": ["Pick one."]}), {})
    assert (general.status, general.field, general.message) == (400, None, "Pick one.")


def test_not_logged_in_is_401_with_the_token_challenge(competition: Competition) -> None:
    response = APIClient().get(f"{API}/competitions/{competition.slug}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["code"] == "not_authenticated"


def test_a_bad_token_is_401_authentication_failed(db: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000")
    response = client.get(f"{API}/competitions")
    assert (response.status_code, error_of(response)["code"]) == (401, "authentication_failed")


def test_a_refusal_of_the_domain_is_403(competition: Competition, participant: User) -> None:
    response = api_client(participant).get(f"{API}/competitions/{competition.slug}/train.csv")
    assert response.status_code == 403
    assert error_of(response)["code"] == "terms_not_accepted"


@pytest.mark.parametrize("path", ["competitions/nope", "submissions/999999", "no/such/endpoint", "v1"])
def test_not_found_is_404_for_objects_and_for_unknown_urls(participant: User, path: str) -> None:
    response = api_client(participant).get(f"{API}/{path}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_wrong_method_is_405_with_the_allowed_ones(participant: User) -> None:
    response = api_client(participant).delete(f"{API}/competitions")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_body_that_does_not_parse_is_400_parse_error(competition: Competition, participant: User) -> None:
    response = api_client(participant).post(
        f"{API}/competitions/{competition.slug}/teams", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


def test_an_unsupported_media_type_is_415(competition: Competition, ready_participant: User) -> None:
    response = api_client(ready_participant).post(
        f"{API}/competitions/{competition.slug}/submissions",
        json.dumps({"group_text": "age >= 60"}),
        content_type="application/json",
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_too_many_requests_is_429_with_retry_after(participant: User, settings: Any) -> None:
    set_rates(settings, user="2/hour")
    client = api_client(participant)
    assert [client.get(f"{API}/competitions").status_code for _ in range(2)] == [200, 200]
    response = client.get(f"{API}/competitions")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 60


def test_an_unexpected_exception_is_a_logged_500_that_discloses_nothing(
    competition: Competition,
    participant: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def explode(**kwargs: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("bounty.api.views.competitions.competition_data_card", explode)
    with caplog.at_level(logging.ERROR, logger="bounty.api.errors"):
        response = api_client(participant).get(f"{API}/competitions/{competition.slug}/data-card")
    assert response.status_code == 500
    assert error_of(response) == {"code": "server_error", "message": SERVER_ERROR_MESSAGE, "field": None}
    assert b"secret" not in response.content
    assert any(r.exc_info and "secret internal detail" in str(r.exc_info[1]) for r in caplog.records)


def test_an_oversized_model_file_is_413_on_the_api_field_name(
    competition: Competition, ready_participant: User, settings: Any, enqueued: list[int]
) -> None:
    settings.BOUNTY_MAX_MODEL_BYTES = 100
    response = api_client(ready_participant).post(
        f"{API}/competitions/{competition.slug}/submissions",
        {"group_text": "age >= 60", "model": upload()},
        format="multipart",
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "file_too_large"
    assert error_of(response)["field"] == "model"


def test_a_django_404_or_permission_error_inside_a_view_keeps_the_shape() -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    assert classify(Http404("x"), {}).body()["error"]["code"] == "not_found"
    assert classify(PermissionDenied(), {}).status == 403
