"""Property-based tests of the live app against its own OpenAPI schema (schemathesis 4).

For every operation, up to 25 generated requests (path parameters pinned to a real competition with
an engine directory and a real submission, authenticated with the token of a participant who has a
team and accepted the terms) must never get a 5xx, and every response must match the schema.
Uploaded "models" are generated junk bytes: they must be refused with a 4xx.

The schema is loaded from the app at import (``from_wsgi``; the schema view needs no database).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from bounty.lifecycle import submission_create
from bounty.models import Membership, Team, TermsAcceptance
from tests.platform.api_support import (
    API,
    api_reset,  # noqa: F401  (a fixture)
    set_rates,
    small_engine_competition,
    token_for,
    upload,
)

pytestmark = pytest.mark.usefixtures("api_reset")
HIGH = "100000/minute"
schema = schemathesis.openapi.from_wsgi(f"{API}/schema/?format=json", WSGIHandler())


@dataclass(frozen=True)
class World:
    slug: str
    submission_id: int
    token: str
    team_id: int


@pytest.fixture
def live_app() -> Iterator[None]:
    """Serve on this test's database connection: as in Django's test client, the request signals
    must not close the connection that holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def world(make_user: Any, enqueued: list[int], settings: Any, live_app: None) -> World:
    set_rates(settings, anon=HIGH, user=HIGH, submit=HIGH, login=HIGH)
    competition = small_engine_competition(organizer=make_user("grace"), daily_quota=50, total_quota=200)
    ada = make_user("ada")
    TermsAcceptance.objects.create(user=ada, competition=competition, terms_version=competition.terms_version)
    team = Team.objects.create(competition=competition, name="Lovelace")
    Membership.objects.create(team=team, competition=competition, user=ada)
    submission = submission_create(
        competition=competition, user=ada, group_text="age >= 60", model_file=upload()
    )
    return World(competition.slug, submission.pk, token_for(ada), team.pk)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_live_api_conforms_to_its_schema_and_never_fails_with_a_5xx(case: Any, world: World) -> None:
    pinned = {
        "slug": world.slug,
        "submission_id": world.submission_id,
        "team_id": world.team_id,
        "draft_id": 1,
        "job_id": 1,  # a fit: none exists, so 404 (the schema documents it)
        "entry_id": 1,  # a ledger entry: none exists, so 404
    }
    for name in list(case.path_parameters or {}):
        if name in pinned:  # the others are enums of the schema (a ledger entry's action)
            case.path_parameters[name] = pinned[name]
    case.call_and_validate(
        headers={"Authorization": f"Token {world.token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
