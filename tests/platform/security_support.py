"""Helpers for the security tests: the cast of roles, response bodies, URL enumeration, data-dir
snapshots and waiting for a worker's decision."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver

from bounty.models import Competition, Membership, Submission, Team, TermsAcceptance
from tests.platform.conftest import PASSWORD, make_competition

ROLES = ("anon", "participant", "rival", "other_org", "organizer", "staff")
FIGURES_MARKER = "FIGURES-SECRET-3b9e1d"
FIGURE_GAIN = 0.2718281828  # rendered as 0.271828 on the organizers' page
TEAM_GROUP = "age >= 77.125"  # the participant's queued group: their team's business only


@dataclass
class Cast:
    """Who is who around competition ``x`` (open), ``other`` (another organizer's) and ``draft``."""

    x: Competition
    other: Competition
    draft: Competition
    users: dict[str, User]
    team: Team
    rival_team: Team
    queued: Submission  # the participant's, still queued
    rejected: Submission  # the participant's, decided, with organizer-only figures


def _user(username: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def _join(user: User, competition: Competition, team_name: str) -> Team:
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name=team_name)
    Membership.objects.create(team=team, competition=competition, user=user)
    return team


def build_cast(x: Competition) -> Cast:
    """Users for every role and two submissions of the participant's team in ``x``."""
    organizer = x.organizers.first()
    assert organizer is not None
    users = {
        "participant": _user("ada"),
        "rival": _user("bob"),
        "other_org": _user("olga"),
        "organizer": organizer,
        "staff": _user("root", is_staff=True, is_superuser=True),
    }
    other = make_competition(slug="other-bounty", title="Another bounty")
    other.organizers.add(users["other_org"])
    draft = make_competition(slug="draft-bounty", title="A draft", status=Competition.Status.DRAFT)
    draft.organizers.add(organizer)
    team = _join(users["participant"], x, "Lovelace")
    rival_team = _join(users["rival"], x, "Babbage")
    common: dict[str, Any] = {
        "competition": x,
        "team": team,
        "author": users["participant"],
        "model_sha256": "a" * 64,
        "model_format": "skops",
    }
    tree = {"col": "age", "op": ">=", "value": 77.125}
    queued = Submission.objects.create(seq=1, group_tree=tree, group_text=TEAM_GROUP, **common)
    rejected = Submission.objects.create(
        seq=2,
        group_tree={"col": "age", "op": ">=", "value": 30},
        group_text="age >= 30",
        status=Submission.Status.REJECTED,
        reason="insufficient_improvement",
        message="The model did not improve the global model on the group by enough.",
        figures={"mass": 0.4, "gain": FIGURE_GAIN, "se": 0.01, "detail": FIGURES_MARKER},
        **common,
    )
    Competition.objects.filter(pk=x.pk).update(next_seq=3)
    x.refresh_from_db()
    return Cast(x, other, draft, users, team, rival_team, queued, rejected)


def body(response: HttpResponseBase) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(getattr(response, "content", b""))


# -- the URLconf ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the pattern for an unnamed route
    pattern: str
    params: tuple[str, ...]


def routes(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> Iterator[Route]:
    """Every route of the URLconf, with its full name and the names of its parameters."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, inner, text)
        elif isinstance(entry, URLPattern):
            regex = entry.pattern.regex
            key = f"{namespace}{entry.name}" if entry.name else text
            yield Route(key, text, tuple(regex.groupindex))


# -- the data dir ---------------------------------------------------------------------------------
def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path -> sha256), to compare before and after."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def wait_until_decided(submission_id: int, timeout: float = 180.0) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if not submission.is_pending:
            return submission
        time.sleep(0.2)
    raise AssertionError(f"submission {submission_id} was not decided within {timeout}s")
