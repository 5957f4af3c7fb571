"""Friendly error pages with DEBUG off: 404 and 403 in the site's layout with a way home, a standalone
500 page that needs no database, and a CSRF failure page that says what to do."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import Competition
from tests.platform.conftest import login

pytestmark = pytest.mark.django_db


def page(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_debug_is_off_for_these_tests() -> None:
    assert settings.DEBUG is False


def test_an_unknown_address_gets_the_friendly_404_page(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = page(response)
    assert "We could not find that page" in text and 'href="/"' in text
    assert 'class="skip-link"' in text  # the site's own layout


def test_a_missing_competition_gets_a_404_page_with_the_reason(client: Client) -> None:
    response = client.get(reverse("competition", args=["nothing-here"]))
    assert response.status_code == 404
    assert "We could not find that" in page(response) and "There is no such competition." in page(response)


def test_a_participant_on_an_organizer_page_gets_the_friendly_403(
    competition: Competition, ready_participant: User
) -> None:
    response = login(ready_participant).get(reverse("console:home", args=[competition.slug]))
    assert response.status_code == 403
    assert "You do not have access to this page" in page(response)


@pytest.mark.urls("tests.platform.error_urls")
def test_permission_denied_renders_the_403_template(client: Client) -> None:
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    assert "You do not have access to this page" in page(response) and "log in" in page(response)


@pytest.mark.urls("tests.platform.error_urls")
def test_a_crash_gets_the_standalone_500_page() -> None:
    response = Client(raise_request_exception=False).get("/test-errors/500/")
    assert response.status_code == 500
    text = page(response)
    assert "Something went wrong on our side" in text and 'href="/"' in text
    assert "deliberate crash" not in text and "Traceback" not in text


def test_a_stale_form_gets_the_csrf_page_that_says_what_to_do(db: None) -> None:
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Please try that again" in page(response)
