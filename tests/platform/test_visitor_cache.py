"""Visitors who are not signed in share a short-lived copy of the leaderboard; nobody else does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bounty.models import Competition, Team
from tests.platform.conftest import login


@pytest.fixture
def visitor_cache(settings: Any) -> Iterator[None]:
    settings.BOUNTY_VISITOR_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def page(client: Client, competition: Competition, query: str = "") -> str:
    response = client.get(reverse("leaderboard", args=[competition.slug]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_visitors_share_one_rendering_until_it_expires(
    visitor_cache: None, competition: Competition, participant: User
) -> None:
    assert "No teams yet" in page(Client(), competition)
    Team.objects.create(competition=competition, name="Late Owls")
    assert "Late Owls" not in page(Client(), competition)  # the shared copy, at most 60 s old
    cache.clear()  # as when it expires
    assert "Late Owls" in page(Client(), competition)


def test_signed_in_users_and_personal_requests_always_get_a_fresh_page(
    visitor_cache: None, competition: Competition, participant: User
) -> None:
    page(Client(), competition)
    Team.objects.create(competition=competition, name="Late Owls")
    assert "Late Owls" in page(login(participant), competition)
    assert "Late Owls" in page(Client(), competition, "?fresh=1")
    with_cookie = Client()
    with_cookie.cookies["messages"] = "anything"
    assert "Late Owls" in page(with_cookie, competition)
    assert "Late Owls" not in page(Client(), competition)


def test_a_signed_in_page_is_never_served_to_visitors(
    visitor_cache: None, competition: Competition, participant: User
) -> None:
    assert participant.username in page(login(participant), competition)
    assert participant.username not in page(Client(), competition)


def test_the_cache_is_off_at_zero_seconds(settings: Any, competition: Competition) -> None:
    settings.BOUNTY_VISITOR_CACHE_SECONDS = 0
    cache.clear()
    page(Client(), competition)
    Team.objects.create(competition=competition, name="Late Owls")
    assert "Late Owls" in page(Client(), competition)
