"""``manage.py make_organizer``: a user joins (or, with ``--revoke``, leaves) the organizers group and
may then (no longer) open the create-competition wizard; each change is in the audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from bounty.models import AuditEvent
from bounty.selectors.organizers import can_organize
from bounty.storage import data_dir
from tests.platform.conftest import PASSWORD, login, make_competition

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("make_organizer", *args, stdout=out)
    return out.getvalue().strip()


def test_make_organizer_lets_the_user_create_competitions(make_user: Callable[..., User]) -> None:
    user = make_user("grace")
    client = login(user)
    assert client.get(reverse("wizard:index")).status_code == 403
    assert run("Grace") == "grace is now an organizer."
    assert can_organize(user)
    assert client.get(reverse("wizard:index")).status_code == 200
    assert run("grace") == "grace was already an organizer."
    assert AuditEvent.objects.filter(action="organizer.grant").count() == 1


def test_make_organizer_revoke_takes_the_right_away(make_user: Callable[..., User]) -> None:
    user = make_user("grace")
    run("grace")
    assert run("grace", "--revoke") == "grace is no longer an organizer."
    assert not can_organize(user)
    assert login(user).get(reverse("wizard:index")).status_code == 403
    assert run("grace", "--revoke") == "grace was not an organizer."
    event = AuditEvent.objects.get(action="organizer.revoke")
    assert event.payload == {"user_id": user.pk, "username": "grace"}


def test_make_organizer_refuses_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="There is no user called 'nobody'"):
        run("nobody")


def test_the_demo_organizer_may_create_competitions(make_user: Callable[..., User]) -> None:
    """``seed_demo`` puts its organizer in the group, also in a demo seeded before it did."""
    make_competition()  # the demo competition exists already: seed_demo only prints the logins
    organizer = make_user("organizer")
    credentials = data_dir() / "demo_credentials.json"
    credentials.write_text(json.dumps({"organizer": ["organizer", PASSWORD], "alice": ["alice", "x"]}))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert f"organizer    organizer / {PASSWORD}" in out.getvalue()
    client = login(organizer)
    assert client.get(reverse("wizard:index")).status_code == 200
    response = client.post(reverse("wizard:index"), {"title": "Loans", "slug": "loans"})
    assert response.status_code == 302 and "/data/" in response["Location"]
