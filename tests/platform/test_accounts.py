from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bounty.models import AuditEvent
from tests.platform.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_creates_the_user_and_logs_them_in(client: Client) -> None:
    response = client.post(
        reverse("signup"),
        {"username": "ada", "email": "ada@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(username="ada")
    assert user.check_password(PASSWORD)
    assert client.get(reverse("home")).context["user"] == user
    assert AuditEvent.objects.filter(action="user.create", actor=user).exists()


def test_signup_refuses_a_taken_username_next_to_the_field(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user("ada")
    response = client.post(
        reverse("signup"),
        {"username": "ADA", "email": "ada2@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 409
    assert response.context["form"].errors["username"] == ["This user name is taken."]
    assert User.objects.count() == 1


def test_signup_refuses_a_weak_password(client: Client) -> None:
    data = {"username": "bob", "email": "bob@example.org", "password1": "123", "password2": "123"}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(username="bob").exists()


def test_login_and_logout(client: Client, make_user: Callable[..., User]) -> None:
    make_user("ada")
    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].is_authenticated
    client.post(reverse("logout"))
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_login_refuses_a_wrong_password(client: Client, make_user: Callable[..., User]) -> None:
    make_user("ada")
    response = client.post(reverse("login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
