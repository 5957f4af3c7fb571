"""Input nested 1,500 levels deep never gives a 500: the group as a JSON tree (API), the group's text
form (API and web form), any JSON request body, the wizard's JSON field and a competition definition
are refused with 400 and the exact cause (how deep, and the limit) before anything recursive reads it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.forms.fields import InvalidJSONInput
from django.urls import reverse
from rest_framework.test import APIClient

from bounty.errors import DomainError
from bounty.models import Competition, QuotaLedger, Submission
from bounty.wizard.definition import parse_definition
from bounty.wizard.forms import BoundedJSONField
from scoring.groups import MAX_JSON_DEPTH
from tests.platform.api_support import api_client, error_of, upload
from tests.platform.conftest import login

DEPTH = 1500
DEEP_TREE = (
    '{"op": "not", "arg": ' * (DEPTH - 1) + '{"col": "age", "op": ">=", "value": 1}' + "}" * (DEPTH - 1)
)
DEEP_TEXT = "(" * DEPTH + "age >= 1" + ")" * DEPTH
DEEP_LIST = "[" * DEPTH + "]" * DEPTH


@pytest.fixture(autouse=True)
def fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def api_submit(user: User, competition: Competition, **data: Any) -> Any:
    path = f"/api/v1/competitions/{competition.slug}/submissions"
    return api_client(user).post(path, {**data, "model": upload()}, format="multipart")


def nothing_created() -> None:
    assert not Submission.objects.exists()
    assert not QuotaLedger.objects.filter(used__gt=0).exists()


def test_a_group_tree_nested_1500_deep_is_refused_by_the_api_with_its_depth_and_the_limit(
    competition: Competition, ready_participant: User
) -> None:
    response = api_submit(ready_participant, competition, group=DEEP_TREE)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == ("invalid_group", "group")
    assert error["message"] == f"The group is nested 1,500 levels deep; the limit is {MAX_JSON_DEPTH}."
    nothing_created()


def test_a_group_text_nested_1500_deep_is_refused_by_the_api_and_the_web_form(
    competition: Competition, ready_participant: User
) -> None:
    response = api_submit(ready_participant, competition, group_text=DEEP_TEXT)
    assert response.status_code == 400
    assert error_of(response)["code"] in {"invalid_group", "max_length"}
    page = login(ready_participant).post(
        reverse("submit", args=[competition.slug]), {"group_text": DEEP_TEXT, "model_file": upload()}
    )
    assert page.status_code == 400
    assert page.context["form"].errors["group_text"]
    short = "(" * 40 + "age >= 1" + ")" * 40  # within the length limit: the parser's own depth limit
    page = login(ready_participant).post(
        reverse("submit", args=[competition.slug]), {"group_text": short, "model_file": upload()}
    )
    assert page.status_code == 400
    assert "nested" in " ".join(page.context["form"].errors["group_text"])
    nothing_created()


def test_a_json_body_nested_1500_deep_is_a_400_naming_its_depth(db: None) -> None:
    body = json.dumps({"username": "x", "password": "y"})[:-1] + ', "extra": ' + DEEP_LIST + "}"
    response = APIClient().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "parse_error"
    assert "nested 1,501 levels deep; the limit is 64" in error["message"]


def test_the_wizard_json_field_refuses_1500_levels_without_parsing_them() -> None:
    field = BoundedJSONField(required=False)
    with pytest.raises(Exception) as caught:
        field.clean(DEEP_LIST)
    assert "nested 1,500 levels deep; the limit is 16" in str(caught.value)
    assert isinstance(field.bound_data(DEEP_LIST, None), InvalidJSONInput)


def test_a_definition_nested_1500_deep_is_an_invalid_definition() -> None:
    with pytest.raises(DomainError) as caught:
        parse_definition("slug: x\ntitle: " + DEEP_LIST)
    assert caught.value.code == "invalid_definition"
