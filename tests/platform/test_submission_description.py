"""A submission's optional description: taken by the web form, the API (documented in its schema) and
the CLI (tests/platform/test_precheck.py), shown to the team on the submission's page and in its list,
escaped, and refused past 500 characters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from bounty.models import Competition, Submission
from tests.platform.api_support import api_client, error_of, upload
from tests.platform.conftest import login

NOTE = 'Older women <script>alert("x")</script> & a tree'


@pytest.fixture(autouse=True)
def fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def api_submit(user: User, competition: Competition, **data: Any) -> Any:
    path = f"/api/v1/competitions/{competition.slug}/submissions"
    return api_client(user).post(
        path, {"group_text": "age >= 60", "model": upload(), **data}, format="multipart"
    )


def test_the_api_takes_a_description_and_gives_it_back_in_the_teams_list(
    competition: Competition, ready_participant: User
) -> None:
    response = api_submit(ready_participant, competition, description=NOTE)
    assert response.status_code == 201, response.content
    assert response.json()["description"] == NOTE
    listed = api_client(ready_participant).get(f"/api/v1/competitions/{competition.slug}/submissions")
    assert [row["description"] for row in listed.json()] == [NOTE]


def test_the_web_form_takes_a_description_and_the_team_sees_it_escaped(
    competition: Competition, ready_participant: User
) -> None:
    web = login(ready_participant)
    data = {"group_text": "age >= 60", "model_file": upload(), "description": NOTE}
    response = web.post(reverse("submit", args=[competition.slug]), data)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.description == NOTE
    escaped = "Older women &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; a tree"
    for page in (
        web.get(reverse("submission_detail", args=[submission.pk])),
        web.get(reverse("my_submissions", args=[competition.slug])),
    ):
        html = page.content.decode()
        assert escaped in html and "<script>alert" not in html


def test_a_description_over_500_characters_is_refused_everywhere(
    competition: Competition, ready_participant: User
) -> None:
    response = api_submit(ready_participant, competition, description="x" * 501)
    assert response.status_code == 400
    assert error_of(response)["field"] == "description"
    data = {"group_text": "age >= 60", "model_file": upload(), "description": "x" * 501}
    page = login(ready_participant).post(reverse("submit", args=[competition.slug]), data)
    assert page.status_code == 400 and page.context["form"].errors["description"]
    assert not Submission.objects.exists()


def test_the_api_schema_documents_the_description() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert "description" in components["SubmissionCreateInputRequest"]["properties"]
    assert "description" in components["Submission"]["properties"]
