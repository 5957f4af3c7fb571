"""Who may do what: every route of the URLconf, for every role, against an expectation table.

The routes are enumerated from the URLconf, so a new route without an entry in ``EXPECTED`` fails
``test_every_route_has_an_expectation``. Each request runs in a savepoint that is rolled back, so the
roles cannot disturb each other. Along the way every answer is searched for the hidden splits, the
organizer-only figures and the participant team's private group.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from bounty.models import Submission
from bounty.storage import competition_dir
from tests.platform.conftest import CONFIRMATION_MARKER, HOLDOUT_MARKER
from tests.platform.engine_world import engine_competition, pair_model
from tests.platform.rewards_world import a_program
from tests.platform.security_support import (
    FIGURES_MARKER,
    ROLES,
    Cast,
    Route,
    body,
    build_cast,
    routes,
)

ANY = frozenset(ROLES)
USERS = ANY - {"anon"}
TERMS = frozenset({"participant", "rival"})  # accepted the terms (and have a team)
OWN = frozenset({"participant"})  # the submission's own team
OWN_OR_ORG = frozenset({"participant", "organizer", "staff"})
ORG = frozenset({"organizer", "staff"})
STAFF = frozenset({"staff"})
NOBODY: frozenset[str] = frozenset()
SECRET_ROLES = ORG  # who may see organizer-only figures
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")
JSON_ROUTES = {"api:findings"}  # API routes that read JSON only (the others take forms too)
PLACEHOLDER_ID = 999_999  # an id that names no object
TEAM_MARKER = b"77.125"  # the value in the participant's queued group (HTML escapes its ">=")


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    either: frozenset[str] = field(default_factory=frozenset)  # roles whose outcome is not checked


EXPECTED: dict[str, dict[str, Rule]] = {
    # pages
    "home": {"GET": Rule(ANY)},
    "healthz": {"GET": Rule(ANY)},
    "readyz": {"GET": Rule(ANY)},  # says only which dependency answers
    "metrics": {"GET": Rule(STAFF)},  # operators only (or the scraper's bearer token)
    "signup": {"GET": Rule(ANY), "POST": Rule(ANY)},
    # confirming the email address: the next-step page and its resend; a bad link is 400 for anyone
    "email_confirmation": {"GET": Rule(USERS)},
    "email_confirmation_resend": {"POST": Rule(USERS)},
    "email_confirm": {"GET": Rule(ANY)},
    "login": {"GET": Rule(ANY), "POST": Rule(ANY)},
    "logout": {"POST": Rule(ANY)},
    "competitions": {"GET": Rule(ANY)},
    "competition": {"GET": Rule(ANY)},
    "data": {"GET": Rule(ANY)},  # the Data tab: columns and row counts; the files stay behind the terms
    "explore": {"GET": Rule(TERMS)},  # figures of the train split: behind the terms like its file
    "docs": {"GET": Rule(ANY)},
    "doc": {"GET": Rule(ANY)},
    "leaderboard": {"GET": Rule(ANY)},
    "team": {"GET": Rule(USERS), "POST": Rule(USERS)},
    "terms": {"GET": Rule(USERS), "POST": Rule(USERS)},
    "train_download": {"GET": Rule(TERMS)},
    "train_baseline_download": {"GET": Rule(TERMS)},
    "submit": {"GET": Rule(USERS), "POST": Rule(TERMS)},
    "fit": {"GET": Rule(USERS), "POST": Rule(TERMS)},  # the request checks what a submission would
    "fit_detail": {"GET": Rule(NOBODY), "POST": Rule(NOBODY)},  # a placeholder id: 404 (teams: test_fit)
    "my_submissions": {"GET": Rule(USERS)},
    # findings and rewards: the program and the published findings are public; a finding is a
    # submission (behind the terms); earnings are a team's own (404 "no_team" for everyone else)
    "find": {"GET": Rule(USERS), "POST": Rule(TERMS)},
    "findings": {"GET": Rule(ANY)},
    "finding_detail": {"GET": Rule(NOBODY)},  # the id names a rejected pair, not an accepted finding
    "program": {"GET": Rule(ANY)},
    "earnings": {"GET": Rule(TERMS), "POST": Rule(TERMS)},
    "console:program": {"GET": Rule(ORG), "POST": Rule(ORG)},
    "console:ledger": {"GET": Rule(ORG)},
    "console:ledger_correct": {"POST": Rule(ORG)},
    "console:ledger_entry": {"POST": Rule(NOBODY)},  # a placeholder entry
    "console:export_payouts": {"GET": Rule(ORG)},
    "console:submissions": {"GET": Rule(ORG)},
    "console:landscape": {"GET": Rule(ORG)},  # the holdout: organizers only
    "group_preview": {"GET": Rule(TERMS)},
    "status": {"GET": Rule(OWN_OR_ORG)},
    "submission_detail": {"GET": Rule(OWN_OR_ORG)},
    "submission_cancel": {"POST": Rule(OWN)},
    "api_not_found": {"GET": Rule(NOBODY), "POST": Rule(NOBODY)},
    "notice_dismiss": {"POST": Rule(NOBODY)},  # a placeholder id that names no notice
    # the user's account (bounty/urls/accounts.py); the reset link is a placeholder that does not work
    "account": {"GET": Rule(USERS)},
    "token_revoke": {"POST": Rule(USERS)},
    "password_change": {"GET": Rule(USERS), "POST": Rule(USERS)},
    "password_change_done": {"GET": Rule(USERS)},
    "password_reset": {"GET": Rule(ANY), "POST": Rule(ANY)},
    "password_reset_done": {"GET": Rule(ANY)},
    "password_reset_confirm": {"GET": Rule(ANY)},
    "password_reset_complete": {"GET": Rule(ANY)},
    # addresses of earlier versions: a permanent redirect for anyone (the new page checks access)
    "legacy_wizard": {"GET": Rule(ANY)},
    **{
        f"legacy_wizard_{step}": {"GET": Rule(ANY)} for step in ("data", "schema", "model", "rules", "review")
    },
    "legacy_open": {"POST": Rule(ANY)},
    "legacy_console": {"GET": Rule(ANY)},
    "legacy_console_path": {"GET": Rule(ANY), "POST": Rule(ANY)},
    "legacy_console_submissions": {"GET": Rule(ANY)},
    # organizing: the wizard is for staff and the "organizers" group (drafts are placeholders here)
    "wizard:index": {"GET": Rule(STAFF)},
    "wizard:data": {"GET": Rule(NOBODY)},
    "wizard:schema": {"GET": Rule(NOBODY)},
    "wizard:model": {"GET": Rule(NOBODY)},
    "wizard:rules": {"GET": Rule(NOBODY)},
    "wizard:review": {"GET": Rule(NOBODY)},
    "wizard:values": {"GET": Rule(NOBODY)},
    "wizard:progress": {"GET": Rule(NOBODY)},
    "wizard:definition": {"GET": Rule(NOBODY)},
    "console:open": {"POST": Rule(ORG)},
    "reports": {"GET": Rule(ANY)},
    "model_card": {"GET": Rule(ANY)},
    "audits": {"GET": Rule(ANY), "POST": Rule(USERS)},
    # the console (bounty/urls/console.py); the posts carry no reason, so 400
    "console:home": {"GET": Rule(ORG)},
    "console:approve": {"POST": Rule(ORG)},
    "console:decline": {"POST": Rule(ORG)},
    "console:rollback": {"GET": Rule(ORG), "POST": Rule(ORG)},  # GET: what it would change
    "console:disqualify": {"GET": Rule(ORG), "POST": Rule(ORG)},
    "console:confirm": {"POST": Rule(ORG)},
    "console:close": {"GET": Rule(ORG), "POST": Rule(ORG)},
    "console:manual_approval": {"POST": Rule(ORG)},
    "console:approve_team": {"POST": Rule(ORG)},
    "console:team_approval": {"POST": Rule(ORG)},
    "console:export_bundle": {"GET": Rule(ORG)},
    "console:export_submissions": {"GET": Rule(ORG)},
    "leaderboard_csv": {"GET": Rule(ANY)},
    # audits: a placeholder id that names no audit, so nobody gets anything
    "audit_detail": {"GET": Rule(NOBODY)},
    "audit_publish": {"POST": Rule(NOBODY)},
    "audit_delete": {"POST": Rule(NOBODY)},
    # the API
    "api:token": {"POST": Rule(ANY)},
    "api:competitions": {"GET": Rule(USERS)},
    "api:competition": {"GET": Rule(USERS)},
    "api:schema_of": {"GET": Rule(USERS)},
    "api:data_card": {"GET": Rule(USERS)},
    "api:terms": {"POST": Rule(USERS)},
    "api:train": {"GET": Rule(TERMS)},
    "api:train_baseline": {"GET": Rule(TERMS)},
    "api:train_baseline_npy": {"GET": Rule(TERMS)},
    "api:explore": {"GET": Rule(TERMS)},
    "api:fits": {"POST": Rule(TERMS)},
    "api:fit": {"GET": Rule(NOBODY)},  # a placeholder id: 404 for all (a team's own fits: test_fit)
    "api:fit_submit": {"POST": Rule(NOBODY)},
    "api:team_create": {"POST": Rule(USERS)},
    "api:team_join": {"POST": Rule(USERS)},
    "api:team": {"GET": Rule(TERMS)},  # 404 "no_team" for everyone else
    "api:submissions": {"GET": Rule(USERS), "POST": Rule(TERMS)},
    "api:leaderboard": {"GET": Rule(ANY)},
    "api:versions": {"GET": Rule(ANY)},
    "api:metrics": {"GET": Rule(ANY)},
    "api:submission": {"GET": Rule(OWN_OR_ORG)},
    "api:submission_cancel": {"POST": Rule(OWN)},
    "api:findings": {"GET": Rule(USERS), "POST": Rule(TERMS)},
    "api:program": {"GET": Rule(USERS)},
    "api:earnings": {"GET": Rule(TERMS)},
    "api:earnings_split": {"PUT": Rule(TERMS)},
    # the console over the API (bounty/api/views/organizer.py); the posts carry no reason, so 400
    "api:organize_review": {"GET": Rule(ORG)},
    "api:organize_approve": {"POST": Rule(ORG)},
    "api:organize_decline": {"POST": Rule(ORG)},
    "api:organize_rollback": {"POST": Rule(ORG)},
    "api:organize_disqualify": {"POST": Rule(ORG)},
    "api:organize_approve_team": {"POST": Rule(ORG)},
    "api:organize_confirm": {"POST": Rule(ORG)},
    "api:organize_close": {"POST": Rule(ORG)},
    "api:organize_export_bundle": {"GET": Rule(ORG)},
    "api:organize_export_submissions": {"GET": Rule(ORG)},
    "api:organize_export_leaderboard": {"GET": Rule(ORG)},
    "api:organize_program": {"PUT": Rule(ORG)},
    "api:organize_ledger": {"GET": Rule(ORG)},
    "api:organize_ledger_correct": {"POST": Rule(ORG)},
    "api:organize_ledger_entry": {"POST": Rule(NOBODY)},  # a placeholder entry
    "api:organize_export_payouts": {"GET": Rule(ORG)},
    # competitions as code (bounty/api/views/drafts.py): for staff and the "organizers" group; drafts
    # are placeholders here (a draft is its owner's: tests/platform/test_organize_definitions.py)
    "api:organize_create": {"POST": Rule(STAFF)},
    "api:organize_open": {"POST": Rule(ORG)},  # 409 not_draft on the open competition
    "api:organize_drafts": {"GET": Rule(STAFF)},
    "api:organize_draft": {"GET": Rule(NOBODY)},
    "api:organize_draft_definition": {"GET": Rule(NOBODY), "POST": Rule(NOBODY)},
    "api:openapi": {"GET": Rule(ANY)},
    "api:docs": {"GET": Rule(ANY)},
    "api:redoc": {"GET": Rule(ANY)},
}
# The admin site: staff only, whatever the page. What staff get is checked on the index only (other
# pages answer 403/404 to staff for read-only models and for the placeholder objects used here).
ADMIN_OVERRIDES: dict[str, dict[str, Rule]] = {
    "admin:index": {"GET": Rule(STAFF)},
    "admin:login": {"GET": Rule(ANY)},
    "admin:logout": {"POST": Rule(ANY)},  # logging oneself out
}
# Cells known to be wrong, each with its explanation; the test fails when one of them is fixed (so
# the entry is removed) as well as when a new one appears.
KNOWN_WRONG: dict[tuple[str, str, str], str] = {}


def expectation(route: Route) -> dict[str, Rule] | None:
    if route.key in EXPECTED:
        return EXPECTED[route.key]
    if route.key in ADMIN_OVERRIDES:
        return ADMIN_OVERRIDES[route.key]
    if route.key.startswith("admin:") or route.pattern.startswith("admin/"):
        return {"GET": Rule(STAFF, either=STAFF)}
    return None


# -- requests --------------------------------------------------------------------------------------
def url_for(route: Route, cast: Cast, slug: str) -> str:
    values: dict[str, Any] = {
        "slug": slug,
        "submission_id": cast.queued.pk if "cancel" in route.key else cast.rejected.pk,
        "object_id": str(cast.rejected.pk),
        "team_id": cast.rival_team.pk,
        "app_label": "bounty",
        "content_type_id": ContentType.objects.get_for_model(Submission).pk,
        "rest": "no-such-endpoint",
        "url": "no-such-page/",
        "draft_id": PLACEHOLDER_ID,
        "audit_id": PLACEHOLDER_ID,
        "uidb64": "MTIz",
        "token": "no-such-token",
        "name": "groups",  # a doc page
        "action": "release",  # a ledger entry's action
    }
    unknown = [n for n in route.params if n not in values and not n.endswith("id")]
    assert not unknown, f"no value for the parameters {unknown} of {route.key}"
    kwargs = {name: values.get(name, PLACEHOLDER_ID) for name in route.params}
    if route.key == route.pattern:  # an unnamed route: fill its pattern by hand
        return "/" + GROUP.sub(lambda m: str(kwargs[m.group(1) or m.group(2)]), route.pattern).strip("^$")
    return reverse(route.key, kwargs=kwargs)


def post_data(route: Route, cast: Cast) -> dict[str, Any]:
    model = SimpleUploadedFile("m.skops", pair_model('sex == "Female" and age >= 40'))
    forms: dict[str, dict[str, Any]] = {
        "signup": {"username": "eve", "password1": "x", "password2": "y"},
        "login": {"username": "ada", "password": "wrong"},
        "team": {"action": "create", "name": "Newcomers"},
        "terms": {"accept": "on", "terms_version": cast.x.terms_version},
        "submit": {"group_text": "age >= 40", "model_file": model},
        "fit": {"group_text": "age >= 40", "model": "decision_tree:shallow"},
        "api:fits": {"group_text": "age >= 40", "family": "decision_tree"},
        "api:token": {"username": "ada", "password": "wrong"},
        "api:terms": {"terms_version": cast.x.terms_version},
        "api:team_create": {"name": "Newcomers"},
        "api:team_join": {"invite_code": "no-such-code"},
        "api:submissions": {"group_text": "age >= 40", "model": model},
        "find": {"group_text": "age >= 40"},
        "api:findings": {"group_text": "age >= 40"},
    }
    return forms.get(route.key, {})


def client_for(role: str, cast: Cast, api: bool) -> Client:
    if role == "anon":
        return Client(raise_request_exception=False)
    user = cast.users[role]
    if api:
        token, _ = Token.objects.get_or_create(user=user)
        return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def send(route: Route, method: str, role: str, cast: Cast, slug: str) -> HttpResponseBase:
    """One request in a savepoint that is rolled back afterwards (throttles start from zero)."""
    path = url_for(route, cast, slug)
    api = route.key.startswith("api:")
    client = client_for(role, cast, api)
    cache.clear()
    with transaction.atomic():
        if method == "GET":
            query = {"group": "age >= 40"} if route.key == "group_preview" else {}
            response = client.get(path, query)
        elif route.key in JSON_ROUTES or method == "PUT":
            data = json.dumps(post_data(route, cast))
            response = client.generic(method, path, data, content_type="application/json")
        else:
            response = client.post(path, post_data(route, cast))
        body(response)  # read streaming answers inside the savepoint
        transaction.set_rollback(True)
    return response


def denied(response: HttpResponseBase) -> bool:
    status = response.status_code
    if status in (401, 403, 404):
        return True
    location = response.get("Location", "") if status in (301, 302) else ""
    return reverse("login") in location or reverse("admin:login") in location


def outcomes(cast: Cast) -> Iterator[tuple[Route, str, str, str, HttpResponseBase]]:
    """(route, method, role, competition slug, response) for every listed request."""
    for route in routes():
        rules = expectation(route)
        assert rules is not None, f"no expectation for route {route.key}"
        slugs = [cast.x.slug, cast.draft.slug] if "slug" in route.params else [cast.x.slug]
        for method in rules:
            for role in ROLES:
                for slug in slugs:
                    yield route, method, role, slug, send(route, method, role, cast, slug)


# -- the tests ---------------------------------------------------------------------------------------
@pytest.fixture
def cast(make_user: Callable[..., User]) -> Iterator[Cast]:
    organizer = make_user("grace")
    x = engine_competition(organizer=organizer, slug="census")
    for folder in (competition_dir(x.pk), competition_dir(x.pk) / "private"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "holdout.csv").write_text(f"age,y\n1,{HOLDOUT_MARKER}\n")
        (folder / "confirmation.csv").write_text(f"age,y\n2,{CONFIRMATION_MARKER}\n")
    cache.clear()
    cast = build_cast(x)
    a_program(x, organizer)  # so the program's pages and endpoints answer with one
    yield cast
    cache.clear()


def test_every_route_has_an_expectation(db: None) -> None:
    missing = [r.key for r in routes() if expectation(r) is None]
    assert missing == [], f"routes without an authorization expectation: {missing}"
    assert len(list(routes())) > 40


def test_every_role_gets_exactly_what_the_table_allows(cast: Cast) -> None:
    wrong = []
    known = []
    seen: dict[str, list[str]] = {"figures": [], "team_group": []}
    for route, method, role, slug, response in outcomes(cast):
        content = body(response)
        if role not in ORG:  # organizers may export their own competition's hidden splits
            assert HOLDOUT_MARKER.encode() not in content, (route.key, role)
            assert CONFIRMATION_MARKER.encode() not in content, (route.key, role)
        if FIGURES_MARKER.encode() in content or b"0.271828" in content:
            seen["figures"].append(role)
        if TEAM_MARKER in content:
            seen["team_group"].append(role)
        rule = expectation(route)
        assert rule is not None
        if role in rule[method].either:
            continue
        allowed = role in rule[method].allowed and slug == cast.x.slug
        if slug == cast.draft.slug and role in ORG:
            continue  # the draft's own organizers: not part of this table
        if response.status_code >= 500 or allowed == denied(response):
            if (method, route.key, role) in KNOWN_WRONG and slug == cast.x.slug:
                known.append((method, route.key, role))
            else:
                wrong.append(f"{method} {route.key} [{slug}] as {role}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert sorted(known) == sorted(KNOWN_WRONG), "a known-wrong cell is fixed: remove it from KNOWN_WRONG"
    assert set(seen["figures"]) == SECRET_ROLES, seen["figures"]
    assert set(seen["team_group"]) <= OWN_OR_ORG and "participant" in seen["team_group"]


def test_the_api_hides_figures_and_private_groups_from_everyone_else(cast: Cast) -> None:
    """A focused check of the submission endpoint's JSON, field by field."""
    path = reverse("api:submission", args=[cast.rejected.pk])
    for role in ("participant", "organizer", "staff"):
        data = json.loads(client_for(role, cast, api=True).get(path).content)
        if role == "participant":
            assert data["figures"] is None and data["started_at"] is None
        else:
            assert data["figures"]["detail"] == FIGURES_MARKER
    for role in ("rival", "other_org"):
        response = client_for(role, cast, api=True).get(path)
        assert response.status_code == 404
        assert json.loads(response.content)["error"]["code"] == "not_found"
